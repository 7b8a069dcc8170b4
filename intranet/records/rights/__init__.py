"""Who may read or change a file (R33, R36), and access requests (R34, R35)."""
