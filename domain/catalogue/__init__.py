"""Shared catalogues (danh mục điện tử dùng chung): units, holiday calendars, fields, document
types and the dossier status catalogue, each one event-sourced aggregate (see each module for
why one aggregate per kind fits)."""

from domain.catalogue.errors import (
    CatalogueError,
    DateBothOffAndWorking,
    DateOutsideYear,
    InvalidCode,
    InvalidEntry,
    InvalidUnitCode,
    UnitCycle,
    UnitHasActiveChildren,
    UnknownLocalStatus,
    UnknownNationalStatus,
    UnknownUnit,
)
from domain.catalogue.holidays import DAY_OFF, WORKING_DAY, HolidayCatalogue, check_calendar_unit
from domain.catalogue.named import DocumentTypeCatalogue, FieldCatalogue
from domain.catalogue.rules import PROVINCE_WIDE, check_unit_code
from domain.catalogue.statuses import StatusCatalogue
from domain.catalogue.units import UnitCatalogue

__all__ = [
    "DAY_OFF", "PROVINCE_WIDE", "WORKING_DAY", "CatalogueError", "DateBothOffAndWorking", "DateOutsideYear",
    "DocumentTypeCatalogue", "FieldCatalogue", "HolidayCatalogue", "InvalidCode", "InvalidEntry",
    "InvalidUnitCode", "StatusCatalogue", "UnitCatalogue", "UnitCycle", "UnitHasActiveChildren",
    "UnknownLocalStatus", "UnknownNationalStatus", "UnknownUnit", "check_calendar_unit", "check_unit_code",
]
