"""The command line and what each command does beyond the build."""
