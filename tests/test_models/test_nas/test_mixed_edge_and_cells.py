import torch

from mmmtnas.models.nas import (DARTS_OPS, MixedEdge, SearchCell, channel_shuffle, derive_cell,
                                normalise_edges)
from mmmtnas.models.nas.cells import edge_offsets, num_edges


def test_plain_darts_edge_is_the_weighted_sum_of_its_ops():
    torch.manual_seed(0)
    edge = MixedEdge(4, 1, DARTS_OPS).eval()
    x = torch.randn(2, 4, 6, 6)
    w = torch.randn(8).softmax(0)
    expected = sum(w[k] * edge.ops[k](x) for k in range(8))
    assert torch.allclose(edge(x, w), expected, atol=1e-6)


def test_channel_shuffle_moves_channel_g_i_to_i_g():
    x = torch.arange(12.).view(1, 12, 1, 1)
    out = channel_shuffle(x, 4).flatten().tolist()
    # groups of 3 channels: [0,1,2],[3,4,5],[6,7,8],[9,10,11] -> interleaved
    assert out == [0., 3., 6., 9., 1., 4., 7., 10., 2., 5., 8., 11.]


def test_partial_channel_edge_mixes_1_over_k_channels_then_shuffles():
    torch.manual_seed(0)
    k, c = 4, 8
    edge = MixedEdge(c, 2, DARTS_OPS, partial_k=k).eval()
    assert all(op_in == c // k for op_in in [edge.ops[4][0][1].in_channels])  # sep_conv dw
    x = torch.randn(2, c, 6, 6)
    w = torch.randn(8).softmax(0)
    out = edge(x, w)
    mixed = sum(w[j] * edge.ops[j](x[:, :c // k]) for j in range(8))
    bypass = torch.nn.functional.max_pool2d(x[:, c // k:], 2, 2)
    unshuffled = torch.cat([mixed, bypass], 1)
    perm = [g * (c // k) + i for i in range(c // k) for g in range(k)]
    assert out.shape == (2, c, 3, 3)
    assert torch.allclose(out, unshuffled[:, perm], atol=1e-6)


def test_edge_normalisation_is_a_softmax_over_each_nodes_incoming_edges():
    betas = torch.randn(num_edges(4))
    w = normalise_edges(betas, 4)
    for i, o in enumerate(edge_offsets(4)):
        assert torch.allclose(w[o:o + i + 2].sum(), torch.tensor(1.))
        assert torch.allclose(w[o:o + i + 2], betas[o:o + i + 2].softmax(0))


def test_search_cell_output_concatenates_multiplier_nodes_and_reduces():
    cell = SearchCell(6, 10, 4, reduction=True, reduction_prev=True, op_names=DARTS_OPS,
                      num_nodes=3, multiplier=2)
    assert len(cell.edges) == 2 + 3 + 4
    w = torch.randn(9, 8).softmax(-1)
    out = cell(torch.randn(1, 6, 16, 16), torch.randn(1, 10, 8, 8), w)
    assert out.shape == (1, 8, 4, 4)


def _brute_force_derive(weights, op_names, num_nodes, edge_weights=None):
    # independent restatement of SPEC §2: for each node, score each incoming edge by its best
    # non-none op (x edge weight); keep the two best edges, and their best op
    none = op_names.index('none')
    nodes, start = [], 0
    for i in range(num_nodes):
        scored = []
        for j in range(i + 2):
            row = [(float(weights[start + j][k]), -k) for k in range(len(op_names)) if k != none]
            best_w, neg_k = max(row)
            ew = 1. if edge_weights is None else float(edge_weights[start + j])
            scored.append((best_w * ew, -j, op_names[-neg_k]))
        scored.sort(reverse=True)
        nodes.append([(op, -negj) for _, negj, op in scored[:2]])
        start += i + 2
    return nodes


def test_derivation_ignores_none_and_keeps_top_two_edges_per_node():
    torch.manual_seed(1)
    ops = list(DARTS_OPS)
    for trial in range(5):
        w = torch.randn(14, 8).mul(2).softmax(-1)
        w[3] = torch.tensor([0.9, 0.02, 0.02, 0.02, 0.01, 0.01, 0.01, 0.01])  # none dominates
        geno = derive_cell(w, ops, 4, 4)
        assert [list(n) for n in geno.nodes] == _brute_force_derive(w, ops, 4)
        assert geno.concat == (2, 3, 4, 5)
        edges = torch.rand(14)
        geno_pc = derive_cell(w, ops, 4, 4, edge_weights=edges)
        assert [list(n) for n in geno_pc.nodes] == _brute_force_derive(w, ops, 4, edges)


def test_edge_weights_can_change_which_edges_are_kept():
    ops = list(DARTS_OPS)
    w = torch.full((5, 8), 0.1)
    w[2, 4] = 0.5  # node 1 (edges 2,3,4): edge from input 0 strongest by op weight
    w[3, 5] = 0.4
    w[4, 6] = 0.3
    assert derive_cell(w, ops, 2, 2).nodes[1] == (('sep_conv_3x3', 0), ('sep_conv_5x5', 1))
    edges = torch.tensor([1., 1., 0.1, 1., 1.])
    assert derive_cell(w, ops, 2, 2, edge_weights=edges).nodes[1] == (
        ('sep_conv_5x5', 1), ('dil_conv_3x3', 2))
