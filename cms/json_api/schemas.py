"""Schemas shared by every router of the JSON API."""

from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

# Money is a string with two decimals ("58.00"), never a float.
Money = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["58.00"])]


def money(value):
    if value is None:
        return None
    return f"{Decimal(value):.2f}"


class FieldError(Schema):
    field: str | None = None
    message: str


class Error(Schema):
    """Every error answer: a stable machine code, a message for people (in the request's language), and
    the request field it concerns when there is one."""

    code: str = Field(examples=["out_of_stock"])
    message: str = Field(examples=["常山胡柚 is sold out."])
    field: str | None = Field(None, examples=["lines"])
    errors: list[FieldError] | None = Field(None, description="Every invalid field, for validation errors.")


# Error responses by status, to merge into an operation's `response=`.
ERROR_400 = {400: Error}
ERROR_401 = {401: Error}
ERROR_403 = {403: Error}
ERROR_404 = {404: Error}
ERROR_409 = {409: Error}
