"""Run the command line as ``python -m arpolicy``."""

from arpolicy.cli import main

if __name__ == "__main__":
    main(prog_name="arpolicy")
