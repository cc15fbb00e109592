"""Read-only queries for ethics cases."""


def organization_case_summary(*, organization, user) -> list:
    return []


def portal_case_summary(*, organization, user) -> list:
    return []
