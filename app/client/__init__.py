"""The command-line client: `seatunnel-rest job|cluster|config ...` talking HTTP to a server.

It imports nothing else from `app/`: it is a client of the REST API like any other.
"""
