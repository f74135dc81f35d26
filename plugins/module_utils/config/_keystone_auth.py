# Private to this collection: not a public API, may change without notice.
"""The options of an INI section through which a service user authenticates."""

from __future__ import annotations


def service_auth_lines(auth_url, username, password, region=None, project="service", domain="Default"):
    """`key = value` lines of a keystoneauth password section (keystone_authtoken,
    service_user, a [nova] or [placement] client section, ...), one order for all."""
    options = [
        ("auth_url", auth_url),
        ("auth_type", "password"),
        ("project_domain_name", domain),
        ("user_domain_name", domain),
        ("project_name", project),
        ("username", username),
        ("password", password),
    ]
    if region:
        options.append(("region_name", region))
    return "\n".join("%s = %s" % option for option in options)
