"""Codes of the places of the 2019 scenario, used across tests."""

BANTEN = "36"
KAB_SERANG = "36.04"
KAB_TANGERANG = "36.03"
CIRUAS = "36.04.09"
KRAGILAN = "36.04.11"
PASAR_KEMIS = "36.03.12"
SINGAMERTA = "36.04.09.2013"
PULO = "36.04.09.2003"
CISAIT = "36.04.11.2013"
KUTA_JAYA = "36.03.12.1012"
JAKARTA_VILLAGE = "31.71.01.1001"  # outside Banten: not loaded in the test database
