"""Administrative divisions from the ``vietnam-provinces`` package (two levels since 1 July 2025).

The package is pinned exactly in pyproject.toml: its data is reference data our lists serve and
units' division codes point at, and a new release may add, rename or merge communes.
"""

from __future__ import annotations

from functools import cached_property

import vietnam_provinces
from vietnam_provinces import Province, Ward

from application.divisions import Division, DivisionReference, UnknownProvince

class PackageDivisions(DivisionReference):
    @cached_property
    def _provinces(self) -> list[Division]:
        return sorted(
            (Division(code=int(p.code), name=p.name, level="province", division_type=p.division_type.value,
                      province_code=None) for p in Province.iter_all()),
            key=lambda d: d.code,
        )

    @cached_property
    def _communes(self) -> dict[int, list[Division]]:
        by_province: dict[int, list[Division]] = {}
        for w in Ward.iter_all():
            by_province.setdefault(int(w.province_code), []).append(Division(
                code=int(w.code), name=w.name, level="commune", division_type=w.division_type.value,
                province_code=int(w.province_code)))
        return {k: sorted(v, key=lambda d: d.code) for k, v in by_province.items()}

    def provinces(self) -> list[Division]:
        return list(self._provinces)

    def communes(self, province_code: int) -> list[Division]:
        if province_code not in {d.code for d in self._provinces}:
            raise UnknownProvince(f"no province {province_code}", field="province")
        return list(self._communes.get(province_code, []))

    @property
    def data_version(self) -> str:
        return f"vietnam-provinces {vietnam_provinces.__version__} ({vietnam_provinces.__data_version__})"

