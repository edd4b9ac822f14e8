"""`python -m bot.cli`: the planbot command."""

import sys

from bot.cli.main import main

sys.exit(main())
