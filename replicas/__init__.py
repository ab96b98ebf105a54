"""Local stand-ins for the real world: synthetic reports, their renderings, replica portals."""
