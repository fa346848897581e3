"""The pipeline: running cargo, CI glue, set-up of a user repository."""
