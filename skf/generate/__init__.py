"""Generating services into a host project: `skf new service` and `skf init`.

The answers are validated first (`names`, `spec`), the Copier template renders into a temporary
directory (`template`), and every edit of the host's shared files is a patch module of its own
(`settings_patch`, `startup_patch`, `compose_patch`, `docs_patch`, `model_patch`); all of them
read and write one ChangeSet, which is then shown (`--dry-run`) or applied all-or-nothing.
"""
