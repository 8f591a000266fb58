"""Video consultation signaling: the switchboard and its sockets (docs/signaling.md)."""
