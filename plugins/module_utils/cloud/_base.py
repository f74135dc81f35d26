# Private to this collection: not a public API, may change without notice.
"""The base of every nimbus.openstack module.

It adds the common connection options (documented by the ``openstack`` doc
fragment) to the module's own, connects with openstacksdk, turns SDK and
keystoneauth errors into a clear ``fail_json`` (with the request id), and offers
the one wait helper of the collection.
"""

from __future__ import annotations

import time
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import openstack
    from keystoneauth1 import exceptions as ksa_exceptions
    from openstack import exceptions as sdk_exceptions
except ImportError:
    openstack = ksa_exceptions = sdk_exceptions = None
    OPENSTACKSDK_IMPORT_ERROR = traceback.format_exc()

    class _NoSdkError(Exception):
        """Stands in for the SDK's errors, which cannot occur without the SDK."""

    API_ERRORS = (_NoSdkError,)
else:
    OPENSTACKSDK_IMPORT_ERROR = None
    # Errors that mean "the cloud said no" or "the cloud could not be reached",
    # as opposed to bugs in this collection, which keep their traceback.
    API_ERRORS = (sdk_exceptions.SDKException, ksa_exceptions.ClientException)

APP_NAME = 'nimbus.openstack'

# Module option -> keyword of openstack.connect().
CONNECTION_OPTIONS = (
    ('auth', 'auth'),
    ('auth_type', 'auth_type'),
    ('region_name', 'region_name'),
    ('interface', 'interface'),
    ('validate_certs', 'verify'),
    ('ca_cert', 'cacert'),
    ('client_cert', 'cert'),
    ('client_key', 'key'),
    ('api_timeout', 'api_timeout'),
)

REQUEST_ID_HEADERS = ('x-openstack-request-id', 'x-compute-request-id')


def common_argument_spec():
    """The options every module has; the ``openstack`` doc fragment documents them.

    Connection options have no default so that an unset option never overrides
    what clouds.yaml or the environment says.
    """
    return dict(
        cloud=dict(type='raw'),
        auth=dict(type='dict', no_log=True),
        auth_type=dict(type='str'),
        region_name=dict(type='str'),
        interface=dict(type='str', choices=['admin', 'internal', 'public'],
                       aliases=['endpoint_type']),
        validate_certs=dict(type='bool', aliases=['verify']),
        ca_cert=dict(type='path', aliases=['cacert']),
        client_cert=dict(type='path', aliases=['cert']),
        client_key=dict(type='path', no_log=False, aliases=['key']),
        api_timeout=dict(type='int'),
        wait=dict(type='bool', default=True),
        timeout=dict(type='int', default=180),
    )


def connection_kwargs(params):
    """Keyword arguments for ``openstack.connect()`` from the module's params.

    ``cloud`` is either the name of a clouds.yaml entry or a whole entry as a
    dict; options set explicitly override it. Unset options are left out so the
    SDK's own configuration applies.
    """
    kwargs = {}
    cloud = params.get('cloud')
    if isinstance(cloud, dict):
        kwargs.update(cloud)
    elif cloud is not None:
        if not isinstance(cloud, str):
            raise TypeError('cloud must be the name of a cloud or a dictionary,'
                            ' not %s' % type(cloud).__name__)
        kwargs['cloud'] = cloud
    for option, keyword in CONNECTION_OPTIONS:
        value = params.get(option)
        if value is not None:
            kwargs[keyword] = value
    return kwargs


def request_id_of(exc):
    """The OpenStack request id carried by an exception, or None.

    openstacksdk and keystoneauth HTTP errors have a ``request_id`` attribute;
    otherwise look for the header in the attached response.
    """
    request_id = getattr(exc, 'request_id', None)
    if request_id:
        return request_id
    headers = getattr(getattr(exc, 'response', None), 'headers', None)
    if not headers:
        return None
    lowered = {str(name).lower(): value for name, value in headers.items()}
    for name in REQUEST_ID_HEADERS:
        if lowered.get(name):
            return lowered[name]
    return None


def error_message(exc, action=None):
    """One line saying what failed, why, and the request id to look up in the logs."""
    text = str(exc).strip()
    name = type(exc).__name__
    if not text:
        text = name
    elif not text.startswith(name):
        text = '%s: %s' % (name, text)
    request_id = request_id_of(exc)
    if request_id and request_id not in text:
        text = '%s (request id: %s)' % (text, request_id)
    if action:
        text = 'Error while %s: %s' % (action, text)
    return text


class WaitTimeout(Exception):
    """Raised by :func:`poll` when the time is up."""


def poll(probe, timeout, interval=2.0, clock=time.monotonic, sleep=time.sleep):
    """Call ``probe()`` until it returns something other than None and return that.

    ``probe`` is called at least once, then every ``interval`` seconds until
    ``timeout`` seconds have passed, when :class:`WaitTimeout` is raised.
    """
    deadline = clock() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout('timed out after %s seconds' % timeout)
        sleep(min(interval, remaining))


class OpenStackModule:
    """Base class: an AnsibleModule with the common options and a lazy connection.

    A subclass implements :meth:`run`, which returns the result dict;
    ``main()`` of a module builds the subclass and calls :meth:`execute`.
    Set :attr:`action` to a phrase ("creating project 'x'") before API calls:
    it starts the failure message if the call raises.
    """

    #: Default of the common ``timeout`` option: a module whose waits are
    #: longer (stacks) sets its own, which its documentation repeats.
    default_timeout = 180

    def __init__(self, argument_spec=None, **module_kwargs):
        spec = common_argument_spec()
        spec['timeout']['default'] = self.default_timeout
        clash = sorted(set(spec) & set(argument_spec or {}))
        if clash:
            # The common options mean the same in every module (module_defaults
            # of the action group set them once): a module must not redefine one.
            raise ValueError('options %s are common options' % ', '.join(clash))
        spec.update(argument_spec or {})
        module_kwargs.setdefault('supports_check_mode', True)
        self.ansible = AnsibleModule(argument_spec=spec, **module_kwargs)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self.diff_mode = bool(getattr(self.ansible, '_diff', False))
        self.action = None
        self._conn = None
        if OPENSTACKSDK_IMPORT_ERROR is not None:
            self.ansible.fail_json(msg=missing_required_lib('openstacksdk'),
                                   exception=OPENSTACKSDK_IMPORT_ERROR)

    @property
    def conn(self):
        """The openstacksdk connection, made on first use."""
        if self._conn is None:
            try:
                kwargs = connection_kwargs(self.params)
            except TypeError as exc:
                self.fail_json(msg=str(exc))
            doing, self.action = self.action, 'connecting to the cloud'
            conn = openstack.connect(app_name=APP_NAME, **kwargs)
            # Authenticate now (the token is reused by every later request), so
            # that a wrong password or auth_url is reported as what it is.
            conn.session.get_token()
            self._conn, self.action = conn, doing
        return self._conn

    def run(self):
        """Do the work and return the result dict (with ``changed``)."""
        raise NotImplementedError

    def execute(self):
        """Run the module and exit, turning API errors into a clear failure."""
        try:
            result = self.run()
        except API_ERRORS as exc:
            self.fail_from_exception(exc)
        else:
            self.ansible.exit_json(**result)

    def fail_from_exception(self, exc):
        extra = {}
        request_id = request_id_of(exc)
        if request_id:
            extra['request_id'] = request_id
        status_code = getattr(exc, 'status_code', None) or getattr(exc, 'http_status', None)
        if status_code:
            extra['status_code'] = status_code
        self.fail_json(msg=error_message(exc, self.action),
                       exception=traceback.format_exc(), **extra)

    def fail_json(self, msg, **kwargs):
        self.ansible.fail_json(msg=msg, **kwargs)

    def warn(self, msg):
        self.ansible.warn(msg)

    def wait_for(self, probe, what, timeout=None, interval=2.0):
        """Wait until ``probe()`` returns something other than None, and return it.

        ``what`` completes "Timed out ... waiting for <what>". ``timeout``
        defaults to the module's ``timeout`` option. A probe that sees a failed
        state should call :meth:`fail_json` itself.
        """
        if timeout is None:
            timeout = self.params['timeout']
        try:
            return poll(probe, timeout, interval)
        except WaitTimeout:
            self.fail_json(msg='Timed out after %s seconds waiting for %s' % (timeout, what))
