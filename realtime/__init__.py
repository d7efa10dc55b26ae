"""Live traffic between the field and the police room: sockets, the console, publishing."""
