"""Stand-in for the get-pip.py that ansible-test downloads from a host our machines cannot reach.

ansible-test runs ``python get_pip.py [pip options] pip==X other==Y`` inside an empty virtual
environment. We bootstrap pip from the standard library (ensurepip) and then let that pip install
the exact packages ansible-test asked for from the package index that is reachable.
"""

import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
