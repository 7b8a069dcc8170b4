"""The company's rules as data (R2, R3, R23): policy, staff directory, zone."""
