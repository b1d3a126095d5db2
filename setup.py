"""Install mmmtnas; tools/ and configs/ go into the package's ``.mim`` folder so that
``mim train mmmtnas <config>`` finds them."""
import os
import os.path as osp
import re
import shutil
import sys

from setuptools import find_packages, setup

MIM_DIRS = ('tools', 'configs')


def add_mim_extension() -> None:
    """Link (editable / develop) or copy (sdist, wheel) tools/ and configs/ into mmmtnas/.mim."""
    if 'develop' in sys.argv or any('editable' in a for a in sys.argv):
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel'} & set(sys.argv) or 'install' in sys.argv:
        mode = 'copy'
    else:
        return
    here = osp.dirname(osp.abspath(__file__))
    mim_root = osp.join(here, 'mmmtnas', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_DIRS:
        src, dst = osp.join(here, name), osp.join(mim_root, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_root), dst, target_is_directory=True)
        else:
            shutil.copytree(src, dst)


def read_version() -> str:
    with open(osp.join('mmmtnas', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmmtnas',
        version=read_version(),
        description='Multi-task neural architecture search (MTNAS, BMTAS) for OpenMMLab 2.x',
        long_description=open('README.md').read() if osp.exists('README.md') else '',
        long_description_content_type='text/markdown',
        packages=find_packages(exclude=('configs', 'tools', 'tests', 'projects')),
        include_package_data=True,
        package_data={'mmmtnas': ['.mim/tools/**/*', '.mim/configs/**/*']},
        python_requires='>=3.9',
        license='Apache License 2.0',
        zip_safe=False,
    )
