# Private to this collection: not a public API, may change without notice.
"""A service's database, user and grant in MariaDB, found and changed over root's unix socket."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import pymysql
except ImportError:
    pymysql = None
    PYMYSQL_ERROR = traceback.format_exc()
else:
    PYMYSQL_ERROR = None

ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "user": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "user_host": {"type": "str", "default": "%"},
    "encoding": {"type": "str", "default": "utf8mb4"},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "login_unix_socket": {"type": "path", "default": "/run/mysqld/mysqld.sock"},
}


def _quote_name(name):
    return "`%s`" % name.replace("`", "``")


def grant_statement(database):
    return "GRANT ALL PRIVILEGES ON %s.*" % _quote_name(database)


def has_grant(grants, database):
    """True if one of SHOW GRANTS' lines gives all privileges on `database`."""
    wanted = grant_statement(database).upper()
    return any(line.upper().startswith(wanted + " TO ") for line in grants)


def _observe(cursor, params):
    name, user, host = params["name"], params["user"], params["user_host"]
    cursor.execute("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (name,))
    state = {"database": bool(cursor.fetchone()), "user": False, "password": False, "grant": False}
    if user:
        cursor.execute("SELECT authentication_string = PASSWORD(%s) FROM mysql.user WHERE User = %s AND Host = %s",
                       (params["password"] or "", user, host))
        row = cursor.fetchone()
        if row is not None:
            state.update(user=True, password=bool(row[0]))
            cursor.execute("SHOW GRANTS FOR %s@%s", (user, host))
            state["grant"] = has_grant([r[0] for r in cursor.fetchall()], name)
    return state


def plan(params, before):
    """The statements (with arguments) that take `before` to what `params` ask for."""
    name, user, host = params["name"], params["user"], params["user_host"]
    steps = []
    if params["state"] == "absent":
        if user and before["user"]:
            steps.append(("DROP USER %s@%s", (user, host)))
        if before["database"]:
            steps.append(("DROP DATABASE " + _quote_name(name), ()))
        return steps
    if not before["database"]:
        steps.append(("CREATE DATABASE %s CHARACTER SET %s" % (_quote_name(name), params["encoding"]), ()))
    if user:
        if not before["user"]:
            steps.append(("CREATE USER %s@%s IDENTIFIED BY %s", (user, host, params["password"])))
        elif not before["password"]:
            steps.append(("ALTER USER %s@%s IDENTIFIED BY %s", (user, host, params["password"])))
        if not before["grant"]:
            steps.append((grant_statement(name) + " TO %s@%s", (user, host)))
    return steps


def after_state(params, before):
    if params["state"] == "absent":
        return {"database": False, "user": False, "password": False, "grant": False}
    user = bool(params["user"])
    return {"database": True, "user": user or before["user"], "password": user or before["password"],
            "grant": user or before["grant"]}


def run_module():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    if pymysql is None:
        module.fail_json(msg=missing_required_lib("PyMySQL (Debian: python3-pymysql)"), exception=PYMYSQL_ERROR)
    params = module.params
    if params["user"] and params["state"] == "present" and not params["password"]:
        module.fail_json(msg="password is required when user is given")
    try:
        conn = pymysql.connect(unix_socket=params["login_unix_socket"], user="root", autocommit=True)
    except pymysql.MySQLError as exc:
        module.fail_json(msg="cannot reach MariaDB as root over %s: %s" % (params["login_unix_socket"], exc))
    with conn.cursor() as cursor:
        before = _observe(cursor, params)
        steps = plan(params, before)
        if not module.check_mode:
            for statement, args in steps:
                try:
                    cursor.execute(statement, args)
                except pymysql.MySQLError as exc:
                    module.fail_json(msg="MariaDB refused %s: %s" % (statement.split(" %s")[0], exc))
    conn.close()
    result = {"changed": bool(steps), "database": {"name": params["name"], "user": params["user"]}}
    if module._diff:
        result["diff"] = {"before": before, "after": after_state(params, before) if steps else before}
    module.exit_json(**result)
