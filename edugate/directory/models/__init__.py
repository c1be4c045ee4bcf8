"""Directory models, split by concept and re-exported here."""

from edugate.directory.models.domains import Domain
from edugate.directory.models.people import Gender, Membership, Person, PersonStatus
from edugate.directory.models.roles import RoleAssignment, RoleKind
from edugate.directory.models.units import InstitutionLevel, Unit, UnitKind, UnitStatus

__all__ = [
    "Domain",
    "Gender",
    "InstitutionLevel",
    "Membership",
    "Person",
    "PersonStatus",
    "RoleAssignment",
    "RoleKind",
    "Unit",
    "UnitKind",
    "UnitStatus",
]
