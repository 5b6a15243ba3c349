"""Generate the forward-looking sample place ``inventories/surrey/``.

The sample is ILLUSTRATIVE. Its structure is the real, announced one: on
28 October 2025 the government confirmed that Surrey's county council and its
eleven district and borough councils are replaced by two unitary councils,
East Surrey and West Surrey, from vesting day, 1 April 2027 (the Surrey LGR
hub; MHCLG's decision letter). Seven of the twelve councils are in the sample;
the systems, products, users, costs, contract dates and the shared services
are INVENTED: they are not the councils' real estates, suppliers or prices.

What it exercises:

* the county is divided between the two successors: its systems with no
  successor of their own must be partitioned, hosted then migrated, or moved
  part by part onto each successor's platform (fate ``Split`` or ``Retire``);
  its highways system goes to West Surrey by its own ``successor``;
* Mole Valley (East) and Waverley (West) share one payroll instance, hosted
  by Waverley: a shared service between districts that go different ways,
  to be unwound;
* contracts fall due around vesting, some already expired at Woking (whose
  finances are distressed: the government committed to repay £500m of its
  debt); their notice dates are the outgoing councils' decisions.

Plan it with ``estate plan inventories/surrey --out plan.xlsx``: until vesting,
the decisions due before it are listed as of the day the plan is made (the
assumption ``decisions_as_of``).

Run ``python tools/make_surrey.py [OUTDIR]`` (default ``inventories/surrey``);
the output is deterministic.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

EAST, WEST = "East Surrey Council", "West Surrey Council"
VESTING = "01/04/2027"
COUNCILS = (  # name, short name, sector, successor, systems seed
    ("Surrey County Council", "Surrey CC", "county council", f"{EAST}; {WEST}"),
    ("Elmbridge Borough Council", "Elmbridge", "district council", EAST),
    ("Mole Valley District Council", "Mole Valley", "district council", EAST),
    ("Reigate and Banstead Borough Council", "Reigate & Banstead", "district council", EAST),
    ("Guildford Borough Council", "Guildford", "district council", WEST),
    ("Waverley Borough Council", "Waverley", "district council", WEST),
    ("Woking Borough Council", "Woking", "district council", WEST),
)

# District systems: capability -> (product a, product b, annual cost base, users base, criticality)
DISTRICT = (
    ("Finance", "Unit4 ERP", "Oracle E-Business Suite", 180_000, 120, "critical"),
    ("Revenues and benefits", "Capita Academy", "Civica OpenRevenues", 220_000, 90, "critical"),
    ("Human resources and payroll", "MHR iTrent", "Zellis ResourceLink", 90_000, 60, "critical"),
    ("Planning and building control", "Idox Uniform", "Northgate Assure", 140_000, 70, "high"),
    ("Waste management", "Bartec Collective", "Whitespace Work Software", 80_000, 40, "high"),
    ("Customer relationship management", "Granicus Firmstep", "Salesforce Service Cloud", 60_000, 80, "medium"),
    ("Electoral registration", "Idox Eros", "Xpress Electoral", 30_000, 15, "high"),
)
# County systems: capability, product, annual cost, users, criticality, own successor, data partitioning
COUNTY = (
    ("Adult social care", "Liquidlogic Adults", 1_450_000, 1800, "critical", "", "monolithic"),
    ("Children's social care", "Liquidlogic Children's", 1_250_000, 1500, "critical", "", "segmented"),
    ("Finance", "SAP S/4HANA", 2_100_000, 900, "critical", "", "monolithic"),
    ("Human resources and payroll", "SAP SuccessFactors", 850_000, 600, "critical", "", "segmented"),
    ("Highways", "Yotta Alloy", 420_000, 250, "high", WEST, "segmented"),
    ("Education", "Capita One", 380_000, 300, "high", "", "segmented"),
    ("Libraries", "Civica Spydus", 160_000, 200, "medium", "", "segmented"),
)
CONTRACT_ENDS = ("31/03/2026", "30/09/2026", "31/03/2027", "30/09/2027", "31/03/2028", "31/03/2029", "31/03/2030")


def _systems(index: int, name: str, short: str) -> list[list[object]]:
    rows: list[list[object]] = []
    if name == "Surrey County Council":
        for k, (capability, product, cost, users, crit, successor, data) in enumerate(COUNTY):
            end = CONTRACT_ENDS[(k + 2) % len(CONTRACT_ENDS)]
            rows.append([name, f"{capability} system", product, capability, users, cost, end, 12, crit,
                         successor, "", data])
        return rows
    for k, (capability, a, b, cost, users, crit) in enumerate(DISTRICT):
        if name == "Mole Valley District Council" and capability == "Human resources and payroll":
            continue  # Mole Valley's payroll runs on Waverley's instance (shared_with below)
        product = a if (index + k) % 2 else b
        end = CONTRACT_ENDS[(index * 3 + k) % len(CONTRACT_ENDS)]
        if name == "Woking Borough Council" and capability in ("Finance", "Customer relationship management"):
            end = "31/03/2025"  # expired: rolling on without a contract
        shared = "Mole Valley District Council" if (
            name == "Waverley Borough Council" and capability == "Human resources and payroll") else ""
        rows.append([name, f"{short} {capability.lower()}", product, capability, users + 12 * index + 3 * k,
                     cost + 9_000 * index + 4_000 * k, end, 6 if k % 2 else 3, crit, "", shared,
                     "segmented" if k % 3 else "monolithic"])
    return rows


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "organisations.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Organisation", "Short name", "Sector", "Successor", "Vesting date"])
        for name, short, sector, successor in COUNCILS:
            w.writerow([name, short, sector, successor, VESTING])
    header = ["Organisation", "System", "Product", "Capability", "Users", "Annual cost", "Contract end",
              "Notice months", "Criticality", "Successor", "Shared with", "Data partitioning"]
    for index, (name, short, _sector, _successor) in enumerate(COUNCILS):
        slug = short.lower().replace(" & ", "-").replace(" ", "-")
        with (out / f"{slug}-systems.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(_systems(index, name, short))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "inventories" / "surrey")
