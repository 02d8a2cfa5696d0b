"""``python -m writer.review ...`` runs the same commands as ``writer review ...``."""

import sys

from writer.cli import main

if __name__ == "__main__":  # through the top-level group: one-line errors, the same exit codes
    main(args=["review", *sys.argv[1:]], prog_name="writer")
