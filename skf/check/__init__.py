"""`skf check`: the compliance checker that gates pull requests."""
