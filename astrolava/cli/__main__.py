import sys

from astrolava.cli import main

sys.exit(main())
