from .deeplabv3plus_decoder_head import DeepLabV3PlusDecoderHead

__all__ = ['DeepLabV3PlusDecoderHead']
