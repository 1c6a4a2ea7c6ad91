"""A private cluster restarted after a fast shutdown keeps its port (gisplan.db.cluster.port_is_free)."""

from __future__ import annotations

import socket

from gisplan.db.cluster import port_is_free


def test_a_listening_port_is_taken_and_closed_connections_do_not_hold_it():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    assert not port_is_free(port)
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the server side closes first (as a fast shutdown does): its end waits in TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    assert port_is_free(port)
