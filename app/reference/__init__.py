"""Reference occupations that ship with the service, and the background loader that puts them in the
occupation index on first start.

ESCO v1.2.0 occupations (English), European Commission, CC BY 4.0: 3,039 occupations with their
alternative and hidden labels, descriptions and ISCO groups, as `esco_occupations_en_v1.2.0.csv.gz`
(the columns of ESCO's `occupations_en.csv` the service reads).
"""

from pathlib import Path

ESCO = Path(__file__).parent / "esco_occupations_en_v1.2.0.csv.gz"
ESCO_NAME = "esco-1.2.0"
