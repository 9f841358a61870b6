"""Write the service's OpenAPI document (what /openapi.json serves) to a file, without starting it.

jobmatch-openapi build/openapi.json
"""

import argparse
import json
from pathlib import Path

from app.main import create_app
from app.settings import Settings


def openapi_document() -> dict:
    return create_app(Settings()).openapi()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    out = ap.parse_args().out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(openapi_document(), indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
