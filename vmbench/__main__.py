"""`python -m vmbench` is the `vmbench` command."""

from vmbench.cli import main

if __name__ == "__main__":
    main()
