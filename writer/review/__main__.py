"""``python -m writer.review ...`` runs the same commands as ``writer review ...``."""

from writer.review.cli import review

if __name__ == "__main__":
    review(prog_name="writer review")
