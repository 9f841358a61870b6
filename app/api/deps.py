"""Typed dependencies: parts of the service graph the lifespan built, the caller's tenant, the key checks."""

import hmac
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.domain import DEFAULT_TENANT
from app.encoder.base import Encoder
from app.errors import Forbidden, InvalidInput, StoreUnavailable, Unauthorized
from app.ingest.imports import ImportRunner
from app.matching.normalize import Normalizer
from app.matching.occupations import OccupationIndex
from app.matching.records import Records
from app.matching.rules import RuleBook
from app.matching.service import Matcher
from app.services import Services
from app.settings import Settings


def get_settings(request: Request) -> Settings:
    """The app's settings (set by `create_app`, before the services exist)."""
    return request.app.state.settings


def get_services(request: Request) -> Services:
    """The service graph the lifespan built (`app/services.py`); 503 while it is still starting."""
    services = getattr(request.app.state, "services", None)
    if services is None:
        raise StoreUnavailable("The service is starting or stopping; try again in a moment.")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_records(services: ServicesDep) -> Records:
    return services.records


def get_matcher(services: ServicesDep) -> Matcher:
    return services.matcher


def get_occupations(services: ServicesDep) -> OccupationIndex:
    return services.occupations


def get_normalizer(services: ServicesDep) -> Normalizer:
    return services.normalizer


def get_rules(services: ServicesDep) -> RuleBook:
    return services.rules


def get_imports(services: ServicesDep) -> ImportRunner:
    return services.imports


def get_encoder(services: ServicesDep) -> Encoder:
    return services.encoder


SettingsDep = Annotated[Settings, Depends(get_settings)]
RecordsDep = Annotated[Records, Depends(get_records)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]
OccupationsDep = Annotated[OccupationIndex, Depends(get_occupations)]
NormalizerDep = Annotated[Normalizer, Depends(get_normalizer)]
RulesDep = Annotated[RuleBook, Depends(get_rules)]
EncoderDep = Annotated[Encoder, Depends(get_encoder)]
ImportsDep = Annotated[ImportRunner, Depends(get_imports)]


# declares the scheme in the OpenAPI document (securitySchemes, and on every /v1 operation); the check
# itself is check_key's, so that a missing or wrong key gets the one error shape
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description=(
        "A key from JOBMATCH_API_KEYS (needed only when keys are configured); `tenant:key` entries name the tenant."
    ),
)


def require_api_key(
    request: Request, settings: SettingsDep, _: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None
) -> None:
    """With JOBMATCH_API_KEYS set, every /v1 call needs `Authorization: Bearer <key>`."""
    check_key(request.headers.get("authorization", ""), settings)


def get_tenant(request: Request, settings: SettingsDep) -> str:
    """The tenant of the caller's key (`default` when no keys are set): every record, rule, import and
    occupation a call touches is that tenant's."""
    return check_key(request.headers.get("authorization", ""), settings)


TenantDep = Annotated[str, Depends(get_tenant)]


def check_key(authorization: str, settings: Settings) -> str:
    """The tenant of "Bearer <key>"; raises Unauthorized unless it is one of the keys (or no keys are set)."""
    if not settings.api_keys:
        return DEFAULT_TENANT
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Missing API key: send the header 'Authorization: Bearer <key>'.")
    given = token.strip().encode()
    # compare against every key so the time taken does not reveal which one nearly matched
    found = None
    for tenant, key in settings.tenant_keys():
        if hmac.compare_digest(given, key):
            found = tenant
    if found is None:
        raise Unauthorized("Invalid API key.")
    return found


def require_operator(request: Request, settings: SettingsDep) -> None:
    """Views across every tenant (/metrics, /ready's details) are the operator's: a key of `default`."""
    if check_key(request.headers.get("authorization", ""), settings) != DEFAULT_TENANT:
        raise Forbidden(
            "This view covers every tenant: it needs a key of the operator's tenant (one without a tenant: prefix)."
        )


def refuse_unknown_query(request: Request) -> None:
    """A query parameter the route does not take is refused (422), as unknown body fields are: a typo
    such as `?limt=5` must not silently give the default."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    known: set[str] = set()
    todo = [dependant]
    while todo:  # the route's own parameters and those of its dependencies
        d = todo.pop()
        known |= {p.alias for p in d.query_params}
        todo.extend(d.dependencies)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise InvalidInput(
            f"Unknown query parameter(s): {', '.join(unknown)}. This route takes: "
            f"{', '.join(sorted(known)) or 'none'}.",
            [
                {"field": f"query.{name}", "message": "not a parameter of this route", "type": "extra_forbidden"}
                for name in unknown
            ],
        )
