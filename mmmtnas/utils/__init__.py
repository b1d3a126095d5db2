from .model_utils import eval_mode, unwrap_model

__all__ = ['eval_mode', 'unwrap_model']
