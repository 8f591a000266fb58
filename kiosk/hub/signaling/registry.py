"""Which sockets are open for each terminal and each expert, and sending to all of them."""

from __future__ import annotations

from pydantic import BaseModel

from kiosk.hub.signaling.connections import Connection


class Registry:
    def __init__(self) -> None:
        self.terminals: dict[int, list[Connection]] = {}
        # Keyed by expert id; the keys are the experts with a console open.
        self.experts: dict[int, list[Connection]] = {}

    def add_terminal(self, terminal_id: int, conn: Connection) -> None:
        self.terminals.setdefault(terminal_id, []).append(conn)

    def add_expert(self, expert_id: int, conn: Connection) -> None:
        self.experts.setdefault(expert_id, []).append(conn)

    def remove(self, conn: Connection) -> None:
        for sockets in (self.terminals, self.experts):
            for key, conns in list(sockets.items()):
                if conn in conns:
                    conns.remove(conn)
                    if not conns:
                        del sockets[key]

    def terminal_online(self, terminal_id: int) -> bool:
        return bool(self.terminals.get(terminal_id))

    def expert_online(self, expert_id: int) -> bool:
        return bool(self.experts.get(expert_id))

    def newest_of_expert(self, expert_id: int) -> Connection | None:
        conns = self.experts.get(expert_id)
        return conns[-1] if conns else None

    def has(self, expert_id: int, conn: Connection) -> bool:
        return conn in self.experts.get(expert_id, ())

    def to_terminal(self, terminal_id: int, message: BaseModel) -> None:
        for conn in self.terminals.get(terminal_id, ()):
            conn.send(message)

    def to_all_terminals(self, message: BaseModel) -> None:
        for conns in self.terminals.values():
            for conn in conns:
                conn.send(message)

    def to_expert(self, expert_id: int, message: BaseModel) -> None:
        for conn in self.experts.get(expert_id, ()):
            conn.send(message)
