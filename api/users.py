"""Account management for administrators, and the citizen's own profile."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from api.auth import requires_administrator, requires_citizen
from api.schemas import ServicesDep
from application.accounts import AccountView
from domain.actor import Role

RoleName = Literal["citizen", "reception_officer", "handling_officer", "unit_leader", "administrator", "auditor", "analyst"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Phone = Annotated[str, Meta(max_length=20, pattern=r"^[0-9+ ]*$")]
Email = Annotated[str, Meta(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")]
UnitCode = Annotated[str, Meta(min_length=3, max_length=40, pattern=r"^[0-9A-Z.]+$")]


class _In(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    pass


class NewUser(_In):
    username: Annotated[str, Meta(min_length=3, max_length=64)]
    password: Annotated[str, Meta(min_length=8, max_length=200)]
    role: RoleName
    full_name: Name
    unit: UnitCode | None = None


class ProfileChange(_In):
    full_name: Name
    phone: Phone | None = None
    email: Email | None = None


class RoleChange(_In):
    role: RoleName
    unit: UnitCode | None = None


class Disable(_In):
    reason: Annotated[str, Meta(min_length=1, max_length=500)]


class UserView(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    username: str
    role: str
    unit: str | None
    full_name: str
    phone: str | None
    email: str | None
    disabled: bool
    version: int


def _view(account: AccountView) -> UserView:
    return msgspec.convert(account, UserView, from_attributes=True)


Req = Request[Any, Any, Any]


class UserController(Controller):
    path = "/admin/users"
    tags = ["admin"]
    guards = [requires_administrator]

    @post("", operation_id="createUser", sync_to_thread=True, summary="Tạo tài khoản / Create an account")
    def create(self, request: Req, data: JSONBody[NewUser], services: ServicesDep) -> UserView:
        return _view(services.users.create(request.user, username=data.username, password=data.password,
                                           role=Role(data.role), unit=data.unit, full_name=data.full_name))

    @patch("/{username:str}", operation_id="updateUser", sync_to_thread=True, summary="Sửa thông tin / Update an account")
    def update(self, request: Req, username: FromPath[str], data: JSONBody[ProfileChange], services: ServicesDep) -> UserView:
        return _view(services.users.update(request.user, username, full_name=data.full_name, phone=data.phone,
                                           email=data.email))

    @post("/{username:str}/role", operation_id="assignRole", sync_to_thread=True, status_code=200,
          summary="Phân quyền / Assign a role (and unit)")
    def assign_role(self, request: Req, username: FromPath[str], data: JSONBody[RoleChange], services: ServicesDep) -> UserView:
        return _view(services.users.assign_role(request.user, username, Role(data.role), data.unit))

    @post("/{username:str}/disable", operation_id="disableUser", sync_to_thread=True, status_code=200,
          summary="Khóa tài khoản / Disable an account")
    def disable(self, request: Req, username: FromPath[str], data: JSONBody[Disable], services: ServicesDep) -> UserView:
        return _view(services.users.disable(request.user, username, data.reason))


class ProfileController(Controller):
    path = "/me/profile"
    tags = ["portal"]
    guards = [requires_citizen]

    @get("", operation_id="getMyProfile", sync_to_thread=True, summary="Hồ sơ cá nhân / My profile")
    def get_profile(self, request: Req, services: ServicesDep) -> UserView:
        return _view(services.users.my_profile(request.user))

    @patch("", operation_id="updateMyProfile", sync_to_thread=True, summary="Cập nhật hồ sơ cá nhân / Update my profile")
    def update_profile(self, request: Req, data: JSONBody[ProfileChange], services: ServicesDep) -> UserView:
        return _view(services.users.update_my_profile(request.user, full_name=data.full_name, phone=data.phone,
                                                      email=data.email))
