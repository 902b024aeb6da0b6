import sys

from svgrender.cli import main

sys.exit(main())
