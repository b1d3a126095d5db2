import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmmtnas module so that all its classes are in the registries.

    Args:
        init_default_scope (bool): Whether to make ``mmmtnas`` the default scope, so that
            unprefixed ``type=`` names are looked up in mmmtnas first, then in the MMEngine
            root. Defaults to True.
    """
    import mmmtnas.datasets  # noqa: F401,F811
    import mmmtnas.engine  # noqa: F401,F811
    import mmmtnas.evaluation  # noqa: F401,F811
    import mmmtnas.models  # noqa: F401,F811
    import mmmtnas.structures  # noqa: F401,F811
    import mmmtnas.visualization  # noqa: F401,F811

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('mmmtnas'):
        DefaultScope.get_instance('mmmtnas', scope_name='mmmtnas')
    elif current.scope_name != 'mmmtnas':
        warnings.warn(f'The current default scope "{current.scope_name}" is not "mmmtnas"; '
                      '`register_all_modules` creates a new one named after the current time.')
        new_name = f'mmmtnas-{datetime.datetime.now()}'
        DefaultScope.get_instance(new_name, scope_name='mmmtnas')
