#!/usr/bin/python3
"""A MongoDB-wire emulator for development and tests on machines where no mongod can be had.

MockupDB (MongoDB's own driver test tooling) parses the wire protocol; mongomock stores the data
in memory. This script joins them: one thread serves every connection from a selector loop and
runs one command at a time, so every command is atomic, as on a real server. It behaves like a
real server where it can and refuses, with a clear error, what it cannot do.

Like a real server:
- Duplicate keys: code 11000, `E11000 duplicate key error collection: <db>.<coll> index: <name>
  dup key: { ... }`, with `keyPattern` and `keyValue`, for `_id` and unique secondary indexes, in
  write errors and findAndModify replies. An upsert whose insert collides after a split (below) is
  retried as an update when the server would (equality-only query on the colliding index's keys).
- Index conflicts: same key under another name -> 85 IndexOptionsConflict; same name with another
  key -> 86 IndexKeySpecsConflict; same name and key with other options -> 85.
- Standalone (the default): `startTransaction` / `autocommit` / `txnNumber` -> 20 IllegalOperation
  ("Transaction numbers are only allowed on a replica set member or mongos"); `commitQuorum` ->
  2 BadValue ("Standalones can't specify commitQuorum").
- Replica-set mode (`--replset NAME`): a one-member set (`hello` with setName, hosts, primary,
  topologyVersion; awaitable hello waits maxAwaitTimeMS). A transaction runs on a private copy of
  each collection it touches, as of its start (snapshot reads), applied at commit, dropped at
  abort: outside reads never see uncommitted writes. A transaction writing a document another
  open transaction wrote, or one changed outside after it started, or taking a unique key one of
  those holds, gets 112 WriteConflict with TransientTransactionError (and is aborted, as any
  failed statement aborts it). A write outside any transaction to a document, or a unique key,
  an open transaction wrote waits, without holding up the loop, until that transaction ends
  (maxTimeMS bounds the wait, error 50). Transactions expire `--transaction-lifetime-seconds`
  (60) after they start; endSessions / killSessions abort a session's open transaction.
  Retryable writes: a write carrying (lsid, txnNumber) outside a transaction that was executed
  already returns the stored reply.

Fault points, through the real server's command: `{configureFailPoint: 'failCommand', mode:
'alwaysOn' | 'off' | {times: N} | {skip: N}, data}`, off by default; one configuration per
`data.appName` (the handshake's client.application.name; none = every connection); 'off' with an
appName removes that one, 'off' alone clears all. `data`: failCommands (names), errorCode,
errmsg, errorLabels, closeConnection (close without executing), blockConnection + blockTimeMS
(hold the command, not executed, while other connections run; then run it, or fail it when
errorCode is given), writeConcernError (added to the reply of a write that succeeded).
Extensions of this emulator (no real server has them):
- `closeConnectionAfterWrite: true`: execute the command, then close without replying.
- `holdUntilReleased: '<label>'`: park the command, not executed, until `{releaseFailPoint:
  '<label>'}` runs on any connection. With `splitUpsert: true` instead: park an update (upsert)
  or findAndModify (upsert) after its match found nothing and before its insert (the fail point
  counts only such commands; not inside transactions).
- `{failPointStatus: 1}`: `parked`, the commands held under a label (label, command, appName,
  ns); `waiting`, the writes waiting for a transaction (command, appName, ns); `failPoints`.
A parked or blocked command never holds up the loop or other connections; the commands behind it
on its own connection wait, so each connection's order is kept.

Refused (clear error instead of silently doing something else): a write concern of w > 1 or a
tag (100 UnsatisfiableWriteConcern / 79: one member cannot acknowledge it); TTL indexes
(expireAfterSeconds) and index options other than unique/sparse/partialFilterExpression; any
command containing `$$NOW` or `$$CLUSTER_TIME`; aggregation-pipeline updates; arrayFilters;
database-level aggregation; in a transaction: commands a real server refuses there, and
create, createIndexes, $lookup, $graphLookup and $unionWith.

Remaining limits (do not design product code around them): every command is serialized, except
that parked commands wait outside the loop; no change streams; no $expr on missing fields; a
transaction that deletes a document does not make a write outside wait for its unique key; one
member, so no elections.

Usage: /usr/bin/python3 mongo_wire_emulator.py [--port N] [--replset NAME]
       [--transaction-lifetime-seconds S]
Prints one line `MONGODB_URI=mongodb://127.0.0.1:<port>` (with `/?replicaSet=NAME` in
replica-set mode) once it accepts connections.
"""

import argparse
import collections
import copy
import datetime
import heapq
import operator
import itertools
import os
import selectors
import signal
import socket
import struct
import time

import bson
import mockupdb
import mongomock
from mongomock import aggregate as mm_aggregate
from mongomock import filtering as mm_filtering
from mongomock import helpers as mm_helpers
from bson import SON, Int64, ObjectId

# Cursor replies stop growing past this many bytes, well under the 16 MiB message limit.
MAX_BATCH_BYTES = 4 * 1024 * 1024
DEFAULT_FIRST_BATCH = 101
WIRE_VERSION = 17  # MongoDB 6.0
STARTED = time.time()
PROCESS_ID = ObjectId()
ELECTION_ID = ObjectId('7fffffff0000000000000001')

REPLSET = None  # the set's name in replica-set mode
HOST = '127.0.0.1:0'
TXN_LIFETIME_S = 60.0


class _NoRevalidation(bson.BSON):
    """mongomock encodes every document it stores only to validate it, with pymongo 3's key check,
    which rejects the '.' that MongoDB 5+ accepts in field names. Documents here were just decoded
    from BSON the client sent, so they are valid BSON already: skip the second encoding."""

    @classmethod
    def encode(cls, document, check_keys=False, codec_options=bson.DEFAULT_CODEC_OPTIONS):
        return b''


mongomock.collection.BSON = _NoRevalidation
# mongomock walks every document to make datetimes naive and millisecond-precise; BSON decoding
# already gives exactly that, so the walk changes nothing and costs a third of a write.
mongomock.helpers.patch_datetime_awareness_in_document = lambda value: value

store = mongomock.MongoClient()
cursor_ids = itertools.count(1)
cursors = {}  # id -> (namespace, iterator)
connection_ids = itertools.count(1)

CODE_NAMES = {
    2: 'BadValue', 6: 'HostUnreachable', 7: 'HostNotFound', 8: 'UnknownError', 20: 'IllegalOperation',
    26: 'NamespaceNotFound', 43: 'CursorNotFound', 50: 'MaxTimeMSExpired', 59: 'CommandNotFound',
    64: 'WriteConcernFailed', 72: 'InvalidOptions', 85: 'IndexOptionsConflict',
    86: 'IndexKeySpecsConflict', 89: 'NetworkTimeout', 91: 'ShutdownInProgress', 100: 'UnsatisfiableWriteConcern',
    112: 'WriteConflict', 117: 'ConflictingOperationInProgress', 189: 'PrimarySteppedDown',
    225: 'TransactionTooOld', 238: 'NotImplemented', 251: 'NoSuchTransaction', 256: 'TransactionCommitted',
    262: 'ExceededTimeLimit', 263: 'OperationNotSupportedInTransaction', 278: 'UnsatisfiableCommitQuorum',
    9001: 'SocketException', 10107: 'NotWritablePrimary', 11000: 'DuplicateKey', 11600: 'InterruptedAtShutdown',
    11602: 'InterruptedDueToReplStateChange', 13435: 'NotPrimaryNoSecondaryOk', 13436: 'NotPrimaryOrSecondary',
}
# Codes a real server labels RetryableWriteError on a retryable write.
RETRYABLE_CODES = {6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436}


class CommandError(Exception):
    def __init__(self, code, message, code_name=None, labels=None, extra=None):
        super().__init__(message)
        self.code = code
        self.code_name = code_name or CODE_NAMES.get(code)
        self.labels = labels
        self.extra = extra


def shell_value(value):
    """A value as the server writes it in an error message (`{ _id: "x" }`)."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return 'null'
    if isinstance(value, str):
        return '"%s"' % value.replace('"', '\\"')
    if isinstance(value, ObjectId):
        return "ObjectId('%s')" % value
    if isinstance(value, datetime.datetime):
        return 'new Date(%d)' % int(value.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
    if isinstance(value, dict):
        return '{ %s }' % ', '.join('%s: %s' % (k, shell_value(v)) for k, v in value.items()) if value else '{}'
    if isinstance(value, (list, tuple)):
        return '[ %s ]' % ', '.join(shell_value(v) for v in value) if value else '[]'
    return str(value)


class DuplicateKey(mongomock.DuplicateKeyError):
    """A subclass of mongomock's, so its rollbacks on a duplicate key still run."""

    def __init__(self, coll, index_name, key_pattern, key_value):
        super().__init__('E11000 duplicate key error collection: %s.%s index: %s dup key: %s' % (
            coll.database.name, coll.name, index_name, shell_value(key_value)), 11000)
        self.code_name = 'DuplicateKey'
        self.extra = {'keyPattern': key_pattern, 'keyValue': key_value}


def error_reply(exc):
    code = getattr(exc, 'code', None) or 8
    reply = {'ok': 0, 'errmsg': str(exc), 'code': code}
    name = getattr(exc, 'code_name', None) or CODE_NAMES.get(code)
    if name:
        reply['codeName'] = name
    extra = getattr(exc, 'extra', None)
    if extra:
        reply.update(extra)
    labels = getattr(exc, 'labels', None)
    if labels:
        reply['errorLabels'] = list(labels)
    return reply


def id_key(value):
    """The key mongomock stores a document under."""
    return mm_helpers.hashdict(value) if isinstance(value, dict) else value


_original_insert = mongomock.collection.Collection._insert


def insert_document(self, data, session=None, ordered=True):
    # One document: mongomock's own path, with the server's duplicate-key error on _id.
    if not isinstance(data, dict):
        return _original_insert(self, data, session, ordered)
    if '_id' not in data:
        data['_id'] = ObjectId()
    key = id_key(data['_id'])
    documents = self._store
    if key in documents:
        raise DuplicateKey(self, '_id_', SON([('_id', 1)]), SON([('_id', data['_id'])]))
    documents[key] = data
    try:
        self._ensure_uniques(data)
    except mongomock.DuplicateKeyError:
        del documents[key]
        raise
    return data['_id']


def ensure_uniques(self, new_data):
    """mongomock's check (new_data is in the store already), naming the index and key it breaks."""
    for index_name, index in self._store.indexes.items():
        if not index.get('unique'):
            continue
        values = {}
        for key, _ in index['key']:
            try:
                values[key] = mm_helpers.get_value_by_dot(new_data, key)
            except KeyError:
                values[key] = None
        if index.get('sparse') and all(v is None for v in values.values()):
            continue
        query = values
        if index.get('partialFilterExpression') is not None:
            query = {'$and': [index['partialFilterExpression'], values]}
        matches = 0
        for _ in self._iter_documents(query):
            matches += 1
            if matches > 1:
                raise DuplicateKey(self, index_name, SON((k, d) for k, d in index['key']), SON(values))


mongomock.collection.Collection._insert = insert_document
mongomock.collection.Collection._ensure_uniques = ensure_uniques


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# --- the loop's shared state -------------------------------------------------------------------

CLOSE = object()  # an outcome: close the connection without a reply
timers = []  # heap of (deadline, seq, callback)
timer_seq = itertools.count()
ready = collections.deque()  # parked commands to resume
held = {}  # label -> [Park] held until releaseFailPoint
failpoints = {}  # appName (None: every connection) -> fault point
current_conn = None  # the connection whose command runs now
split_point = None  # the fault point of the command running now when it asks for a split upsert
active_txn = None  # the transaction the running command belongs to


class Conn:
    __slots__ = ('sock', 'buf', 'app_name', 'parked', 'closed')

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.app_name = None
        self.parked = None
        self.closed = False


class Park:
    """A command that waits (for a label, a timer or a transaction) without holding up the loop.
    `resume()` gives its outcome: a reply, CLOSE, or another Park."""
    __slots__ = ('resume', 'label', 'command', 'ns', 'app_name', 'conn', 'frame', 'done')

    def __init__(self, resume, label=None, command=None, ns=None):
        self.resume = resume
        self.label = label
        self.command = command
        self.ns = ns
        self.app_name = current_conn.app_name if current_conn is not None else None
        self.conn = None
        self.frame = None
        self.done = False


def call_later(delay_s, callback):
    heapq.heappush(timers, (time.monotonic() + max(0.0, delay_s), next(timer_seq), callback))


def wake(park, resume=None):
    if park.done:
        return
    if resume is not None:
        park.resume = resume
    park.done = True
    ready.append(park)


def then(outcome, step):
    """Applies `step` to a reply now, or to the reply a parked command ends with."""
    if isinstance(outcome, Park):
        resume = outcome.resume
        outcome.resume = lambda: then(resume(), step)
        return outcome
    if outcome is CLOSE:
        return outcome
    return step(outcome)


def hold(label, command, ns, resume):
    park = Park(resume, label=label, command=command, ns=ns)
    held.setdefault(label, []).append(park)
    return park


def collection(db_name, name):
    if not isinstance(name, str) or not name:
        raise CommandError(73, 'Invalid namespace specified: %r' % (name,), 'InvalidNamespace')
    if active_txn is not None:
        return txn_collection(active_txn, db_name, name)
    return store[db_name][name]


def sort_spec(sort):
    if not sort:
        return None
    return [(key, int(direction)) for key, direction in sort.items()]


def batch_from(iterator, size):
    docs, total = [], 0
    for doc in iterator:
        docs.append(doc)
        total += len(bson.BSON.encode(doc))
        if (size and len(docs) >= size) or total >= MAX_BATCH_BYTES:
            break
    return docs


def cursor_reply(namespace, docs_iter, batch_size, single_batch=False):
    """First batch now, the rest kept for getMore (real cursors, so memory stays bounded client-side)."""
    iterator = iter(docs_iter)
    first = batch_from(iterator, batch_size if batch_size is not None else DEFAULT_FIRST_BATCH)
    cursor_id = 0
    if not single_batch:
        sentinel = next(iterator, None)
        if sentinel is not None:
            cursor_id = next(cursor_ids)
            cursors[cursor_id] = (namespace, itertools.chain([sentinel], iterator))
    return {'cursor': {'id': Int64(cursor_id), 'ns': namespace, 'firstBatch': first}, 'ok': 1}


def hello_reply():
    reply = {
        'ismaster': True,
        'isWritablePrimary': True,
        'helloOk': True,
        'maxBsonObjectSize': 16 * 1024 * 1024,
        'maxMessageSizeBytes': 48000000,
        'maxWriteBatchSize': 100000,
        'localTime': utcnow(),
        'logicalSessionTimeoutMinutes': 30,
        'connectionId': next(connection_ids),
        'minWireVersion': 0,
        'maxWireVersion': WIRE_VERSION,
        'readOnly': False,
        'ok': 1,
    }
    if REPLSET is not None:
        reply.update({
            'setName': REPLSET, 'setVersion': 1, 'hosts': [HOST], 'me': HOST, 'primary': HOST,
            'secondary': False, 'electionId': ELECTION_ID,
            'topologyVersion': {'processId': PROCESS_ID, 'counter': Int64(0)},
        })
    return reply


def cmd_hello(db_name, cmd):
    client = cmd.get('client')
    if client and current_conn is not None:
        current_conn.app_name = (client.get('application') or {}).get('name')
    if REPLSET is not None and 'topologyVersion' in cmd and 'maxAwaitTimeMS' in cmd:
        # An awaitable hello (the driver's streaming monitor): the topology never changes, so
        # answer when the wait is over, as a real server does.
        park = Park(hello_reply, command='hello')
        call_later(int(cmd['maxAwaitTimeMS']) / 1000, lambda: wake(park))
        return park
    return hello_reply()


def cmd_build_info(db_name, cmd):
    major = 8 if WIRE_VERSION >= BULK_WRITE_MIN_WIRE else 6
    return {'version': '%d.0.0-emulator' % major, 'versionArray': [major, 0, 0, 0], 'gitVersion': 'mongomock',
            'modules': [], 'bits': 64, 'maxBsonObjectSize': 16 * 1024 * 1024, 'ok': 1}


def cmd_ok(db_name, cmd):
    return {'ok': 1}


def cmd_server_status(db_name, cmd):
    return {'host': '127.0.0.1', 'version': '6.0.0-emulator', 'process': 'mongo_wire_emulator',
            'uptime': time.time() - STARTED, 'localTime': utcnow(), 'ok': 1}


def native_sort_value(value):
    """A value's place in BSON sort order as a plain tuple Python compares in C, or None for a type
    this does not know (then mongomock's own, slower comparison sorts)."""
    if value is mm_filtering.NOTHING or value is None:
        return (1,)
    if isinstance(value, bool):
        return (8, value)
    if isinstance(value, (int, float)):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, ObjectId):
        return (7, value.binary)
    if isinstance(value, datetime.datetime):
        return (9, value)
    if isinstance(value, (list, tuple)):  # arrays sort by their first element, as in mongomock
        return native_sort_value(value[0]) if value else (0,)
    return None


def sort_documents(docs, sort, keep):
    """Sorts by `sort` (keeping only the first `keep` when given), or returns None when a value's
    type needs mongomock's general comparison."""
    fields = [(key, '.' in key) for key, _ in sort]
    nothing = mm_filtering.NOTHING
    keyed = []
    for doc in docs:
        key = []
        for field, dotted in fields:
            value = mm_filtering.resolve_key(field, doc) if dotted else doc.get(field, nothing)
            kind = type(value)
            # The two types history is sorted by come first: this loop runs once per document.
            if kind is datetime.datetime:
                key.append((9, value))
            elif kind is ObjectId:
                key.append((7, value.binary))
            else:
                native = native_sort_value(value)
                if native is None:
                    return None
                key.append(native)
        keyed.append((tuple(key), doc))
    directions = {d for _, d in sort}
    by_key = operator.itemgetter(0)
    if keep and directions == {1}:
        keyed = heapq.nsmallest(keep, keyed, key=by_key)
    elif keep and directions == {-1}:
        keyed = heapq.nlargest(keep, keyed, key=by_key)
    else:
        for index in reversed(range(len(sort))):  # stable sorts, last key first
            keyed.sort(key=lambda item, i=index: item[0][i], reverse=sort[index][1] < 0)
    return [doc for _, doc in keyed]


def find_documents(coll, spec, sort, projection, skip, limit):
    """mongomock's find copies every matching document, and compares sort values in Python, before
    it applies skip and limit; this sorts references by plain tuples (keeping only skip + limit of
    them when there is a limit) and copies only the documents it returns."""
    docs = list(coll._iter_documents(spec))
    if sort:
        ordered = None if any(k.startswith('$') for k, _ in sort) else sort_documents(docs, sort, skip + limit if limit else 0)
        if ordered is None:
            return coll.find(spec, projection=projection, skip=skip, limit=limit, sort=sort)
        docs = ordered
    docs = itertools.islice(docs, skip, skip + limit if limit else None)
    return (coll._copy_only_fields(doc, projection, dict) for doc in docs)


def cmd_find(db_name, cmd):
    name = cmd['find']
    coll = collection(db_name, name)
    limit = abs(int(cmd.get('limit', 0) or 0))
    docs = find_documents(coll, cmd.get('filter') or {}, sort_spec(cmd.get('sort')), cmd.get('projection') or None,
                          int(cmd.get('skip', 0) or 0), limit)
    batch_size = cmd.get('batchSize')
    single = bool(cmd.get('singleBatch')) or int(cmd.get('limit', 0) or 0) < 0
    return cursor_reply('%s.%s' % (db_name, name), docs, batch_size, single)


def cmd_get_more(db_name, cmd):
    cursor_id = int(cmd['getMore'])
    entry = cursors.get(cursor_id)
    if entry is None:
        raise CommandError(43, 'cursor id %d not found' % cursor_id, 'CursorNotFound')
    namespace, iterator = entry
    docs = batch_from(iterator, cmd.get('batchSize') or 0)
    sentinel = next(iterator, None)
    if sentinel is None:
        cursors.pop(cursor_id, None)
        next_id = 0
    else:
        cursors[cursor_id] = (namespace, itertools.chain([sentinel], iterator))
        next_id = cursor_id
    return {'cursor': {'id': Int64(next_id), 'ns': namespace, 'nextBatch': docs}, 'ok': 1}


def cmd_kill_cursors(db_name, cmd):
    killed = []
    for cursor_id in cmd.get('cursors', []):
        if cursors.pop(int(cursor_id), None) is not None:
            killed.append(cursor_id)
    return {'cursorsKilled': killed, 'cursorsNotFound': [], 'cursorsAlive': [], 'cursorsUnknown': [],
            'ok': 1}


def write_error(index, exc):
    error = {'index': index, 'code': getattr(exc, 'code', None) or 2, 'errmsg': str(exc)}
    extra = getattr(exc, 'extra', None)
    if extra:
        error.update(extra)
    return error


class SplitUpsert(Exception):
    """Raised by an upsert whose match found nothing while a splitUpsert fault point fires."""

    def __init__(self, insert):
        super().__init__('split upsert')
        self.insert = insert


def run_writes(cmd, items_key, apply, finish, db_name, command, start=0, n=0, errors=None):
    """A write command's items one by one: `apply(index, item)` returns what it wrote; a failure
    becomes a write error with its code, and an ordered command stops at the first. A split upsert
    parks the run, which goes on from the next item once released."""
    items = cmd.get(items_key) or []
    ordered = cmd.get('ordered', True)
    errors = [] if errors is None else errors
    for index in range(start, len(items)):
        try:
            n += apply(index, items[index])
        except SplitUpsert as split:
            def resume(index=index, split=split, n=n):
                try:
                    n += split.insert()
                except Exception as exc:  # noqa: BLE001
                    errors.append(write_error(index, exc))
                    if ordered:
                        return write_reply(n, errors, finish)
                return run_writes(cmd, items_key, apply, finish, db_name, command, index + 1, n, errors)

            label = split_point['data']['holdUntilReleased']
            return hold(label, command, '%s.%s' % (db_name, cmd[command]), resume)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a write error
            errors.append(write_error(index, exc))
            if ordered:
                break
    return write_reply(n, errors, finish)


def write_reply(n, errors, finish):
    reply = {'n': n, 'ok': 1}
    if errors:
        reply['writeErrors'] = errors
    return finish(reply) if finish is not None else reply


def cmd_insert(db_name, cmd):
    coll = collection(db_name, cmd['insert'])

    def insert(_index, doc):
        coll.insert_one(doc)
        return 1

    return run_writes(cmd, 'documents', insert, None, db_name, 'insert')


def is_replacement(update):
    return isinstance(update, dict) and not any(key.startswith('$') for key in update)


def replace_by_id(coll, query, replacement, upsert):
    """A replacement on one `_id` (`{_id: X, ...conditions}`), done on the store directly.

    Same answers as mongomock's general update path (which deep-copies the old document for a
    rollback it then rarely needs): match the conditions, keep `_id` first, check unique indexes,
    and on an upsert whose `_id` exists but does not match, fail with a duplicate key as MongoDB
    does. Returns None when the query is not of that form.
    """
    _id = query.get('_id')
    if _id is None or isinstance(_id, dict):
        return None
    documents = coll._store
    existing = documents[_id] if _id in documents else None
    document = dict(replacement)
    document.pop('_id', None)
    document = dict(_id=_id, **document)
    if existing is not None and mm_filtering.filter_applies(query, existing):
        documents[_id] = document
        try:
            coll._ensure_uniques(document)
        except mongomock.DuplicateKeyError:
            documents[_id] = existing
            raise
        return {'n': 1, 'nModified': 0 if existing == document else 1}
    if not upsert:
        return {'n': 0, 'nModified': 0}
    if existing is not None:
        raise DuplicateKey(coll, '_id_', SON([('_id', 1)]), SON([('_id', _id)]))
    documents[_id] = document
    try:
        coll._ensure_uniques(document)
    except mongomock.DuplicateKeyError:
        del documents[_id]
        raise
    return {'n': 1, 'nModified': 0, 'upserted': _id}


def refuse_unsupported_update(change, array_filters):
    if isinstance(change, list):
        raise CommandError(238, 'the emulator does not support aggregation-pipeline updates')
    if array_filters:
        raise CommandError(238, 'the emulator does not support arrayFilters')


_scratch = mongomock.MongoClient()['scratch']['upsert']


def upsert_document(query, change):
    """The document an upsert of `change` on `query` inserts, built on an empty scratch collection."""
    _scratch._store.drop()
    _scratch._update(query, change, upsert=True)
    doc = next(iter(_scratch._store._documents.values()))
    _scratch._store.drop()
    return doc


def has_match(coll, query):
    return next(iter(coll._iter_documents(query)), None) is not None


def server_retries_upsert(query, change, error):
    """A real server retries an upsert's duplicate key as an update when the query is only
    equalities on exactly the colliding index's fields and the update does not set them."""
    fields = set((getattr(error, 'extra', None) or {}).get('keyPattern') or ())
    if not fields or set(query) != fields:
        return False
    for value in query.values():
        if isinstance(value, dict) and any(k.startswith('$') for k in value):
            return False
    if isinstance(change, dict) and not is_replacement(change):
        for operator_args in change.values():
            if isinstance(operator_args, dict) and fields & set(operator_args):
                return False
    return True


def cmd_update(db_name, cmd):
    coll = collection(db_name, cmd['update'])
    modified, upserted = [0], []

    def update(index, spec):
        change = spec.get('u')
        if isinstance(change, list) or spec.get('arrayFilters'):
            refuse_unsupported_update(change, spec.get('arrayFilters'))
        query, upsert, multi = spec.get('q') or {}, bool(spec.get('upsert')), bool(spec.get('multi'))
        if upsert and split_point is not None and active_txn is None and not has_match(coll, query) \
                and consume(split_point):
            raise SplitUpsert(lambda: split_insert(index, spec, query, change))
        result = replace_by_id(coll, query, change, upsert) if is_replacement(change) and not multi else None
        if result is None:
            result = coll._update(query, change, upsert=upsert, multi=multi)
        if result.get('upserted') is not None:
            upserted.append({'index': index, '_id': result['upserted']})
            return 1
        modified[0] += result.get('nModified', 0)
        return result.get('n', 0)

    def split_insert(index, spec, query, change):
        doc = upsert_document(query, change)
        try:
            coll.insert_one(doc)
        except mongomock.DuplicateKeyError as error:
            if not server_retries_upsert(query, change, error):
                raise
            return update(index, spec)  # split_point is cleared by now: a plain update
        upserted.append({'index': index, '_id': doc['_id']})
        return 1

    def finish(reply):
        reply['nModified'] = modified[0]
        if upserted:
            reply['upserted'] = upserted
        return reply

    return run_writes(cmd, 'updates', update, finish, db_name, 'update')


def cmd_delete(db_name, cmd):
    coll = collection(db_name, cmd['delete'])

    def delete(_index, spec):
        query = spec.get('q') or {}
        if int(spec.get('limit', 0)) == 1:
            return coll.delete_one(query).deleted_count
        return coll.delete_many(query).deleted_count

    return run_writes(cmd, 'deletes', delete, None, db_name, 'delete')


def cmd_find_and_modify(db_name, cmd):
    name = cmd.get('findAndModify', cmd.get('findandmodify'))
    coll = collection(db_name, name)
    query = cmd.get('query') or {}
    sort = sort_spec(cmd.get('sort'))
    projection = cmd.get('fields') or None
    if cmd.get('remove'):
        old = coll.find_one_and_delete(query, projection=projection, sort=sort)
        return {'lastErrorObject': {'n': 1 if old else 0}, 'value': old, 'ok': 1}
    update = cmd.get('update')
    refuse_unsupported_update(update, cmd.get('arrayFilters'))
    upsert = bool(cmd.get('upsert'))
    return_new = bool(cmd.get('new'))
    old = coll.find_one(query, sort=sort)
    if old is None and upsert and split_point is not None and active_txn is None and consume(split_point):
        label = split_point['data']['holdUntilReleased']
        return hold(label, 'findAndModify', '%s.%s' % (db_name, name),
                    lambda: find_and_modify_split_insert(coll, query, sort, update, return_new, projection))
    return find_and_modify_apply(coll, query, sort, update, upsert, return_new, projection, old)


def find_and_modify_apply(coll, query, sort, update, upsert, return_new, projection, old):
    target = {'_id': old['_id']} if old else query
    result = coll._update(target, update, upsert=upsert and old is None)
    if old is None and result.get('upserted') is None:
        return {'lastErrorObject': {'n': 0, 'updatedExisting': False}, 'value': None, 'ok': 1}
    if result.get('upserted') is not None:
        new_id = result['upserted']
        last_error = {'n': 1, 'updatedExisting': False, 'upserted': new_id}
    else:
        new_id = old['_id']
        last_error = {'n': 1, 'updatedExisting': True}
    if return_new:
        value = coll.find_one({'_id': new_id}, projection=projection)
    elif projection:
        value = project(old, projection)
    else:
        value = old
    return {'lastErrorObject': last_error, 'value': value, 'ok': 1}


def find_and_modify_split_insert(coll, query, sort, update, return_new, projection):
    doc = upsert_document(query, update)
    try:
        coll.insert_one(doc)
    except mongomock.DuplicateKeyError as error:
        if not server_retries_upsert(query, update, error):
            return error_reply(error)
        old = coll.find_one(query, sort=sort)
        return find_and_modify_apply(coll, query, sort, update, True, return_new, projection, old)
    value = coll.find_one({'_id': doc['_id']}, projection=projection) if return_new else None
    return {'lastErrorObject': {'n': 1, 'updatedExisting': False, 'upserted': doc['_id']}, 'value': value,
            'ok': 1}


def project(doc, projection):
    # Applies a projection to an already-read document by running it through mongomock.
    scratch = mongomock.MongoClient()['scratch']['doc']
    scratch.insert_one(dict(doc))
    return scratch.find_one({}, projection=projection)


def cmd_count(db_name, cmd):
    coll = collection(db_name, cmd['count'])
    query = cmd.get('query') or {}
    # Counts references: mongomock's find copies every document it yields (seconds for 20k dashboards).
    # With no query it is the collection's size, as MongoDB answers it from metadata.
    total = len(coll._store) if not query else sum(1 for _ in coll._iter_documents(query))
    n = max(0, total - int(cmd.get('skip', 0) or 0))
    limit = abs(int(cmd.get('limit', 0) or 0))
    return {'n': min(n, limit) if limit else n, 'ok': 1}


def cmd_distinct(db_name, cmd):
    coll = collection(db_name, cmd['distinct'])
    return {'values': coll.distinct(cmd['key'], cmd.get('query') or {}), 'ok': 1}


def cmd_aggregate(db_name, cmd):
    name = cmd['aggregate']
    if name == 1:
        raise CommandError(238, 'the emulator does not support database-level aggregation')
    pipeline = list(cmd.get('pipeline') or [])
    if active_txn is not None and any(k in stage for stage in pipeline for k in ('$lookup', '$graphLookup', '$unionWith')):
        raise CommandError(238, 'the emulator does not support $lookup, $graphLookup or $unionWith in a transaction')
    docs = run_pipeline(db_name, name, pipeline)
    batch_size = (cmd.get('cursor') or {}).get('batchSize')
    return cursor_reply('%s.%s' % (db_name, name), docs, batch_size)


def run_pipeline(db_name, name, pipeline):
    coll = collection(db_name, name)
    # $unionWith (mongomock has none) only as the last stages, as one read of several collections
    # sends it: each sub-pipeline runs as an aggregate of its own collection, appended in order.
    unions = []
    while pipeline and '$unionWith' in pipeline[-1]:
        unions.insert(0, pipeline.pop()['$unionWith'])
    if any('$unionWith' in stage for stage in pipeline):
        raise CommandError(238, 'the emulator supports $unionWith only as the last stages of a pipeline')
    # mongomock copies the whole collection before the first stage; a leading $match is applied
    # first, so only the matching documents are copied.
    match = pipeline.pop(0)['$match'] if pipeline and '$match' in pipeline[0] else {}
    matching = [coll._copy_only_fields(doc, None, dict) for doc in coll._iter_documents(match)]
    docs = list(mm_aggregate.process_pipeline(matching, coll.database, pipeline, None))
    for spec in unions:
        other, sub = (spec, []) if isinstance(spec, str) else (spec['coll'], list(spec.get('pipeline') or []))
        docs.extend(run_pipeline(db_name, other, sub))
    return docs


def cmd_list_collections(db_name, cmd):
    db = store[db_name]
    name_filter = (cmd.get('filter') or {}).get('name')
    names = sorted(db.list_collection_names())
    if isinstance(name_filter, str):
        names = [n for n in names if n == name_filter]
    infos = [{'name': n, 'type': 'collection', 'options': {}, 'info': {'readOnly': False},
              'idIndex': {'v': 2, 'key': {'_id': 1}, 'name': '_id_'}} for n in names]
    return cursor_reply('%s.$cmd.listCollections' % db_name, infos, None)


def cmd_list_databases(db_name, cmd):
    names = store.list_database_names()
    dbs = [{'name': n, 'sizeOnDisk': 0, 'empty': False} for n in names]
    if cmd.get('nameOnly'):
        dbs = [{'name': n} for n in names]
    return {'databases': dbs, 'totalSize': 0, 'ok': 1}


def cmd_create(db_name, cmd):
    db = store[db_name]
    if cmd['create'] in db.list_collection_names():
        raise CommandError(48, 'Collection %s.%s already exists.' % (db_name, cmd['create']),
                           'NamespaceExists')
    db.create_collection(cmd['create'])
    return {'ok': 1}


def cmd_drop(db_name, cmd):
    db = store[db_name]
    if cmd['drop'] not in db.list_collection_names():
        raise CommandError(26, 'ns not found', 'NamespaceNotFound')
    db.drop_collection(cmd['drop'])
    return {'ok': 1}


def cmd_drop_database(db_name, cmd):
    store.drop_database(db_name)
    return {'dropped': db_name, 'ok': 1}


INDEX_OPTIONS = ('unique', 'sparse', 'partialFilterExpression')
IGNORED_INDEX_FIELDS = {'key', 'name', 'v', 'background'}


def index_options(spec):
    return {k: spec[k] for k in INDEX_OPTIONS if spec.get(k)}


def index_shell(name, key, options):
    return shell_value(dict({'v': 2, 'key': dict(key), 'name': name}, **options))


def check_commit_quorum(cmd):
    if 'commitQuorum' not in cmd:
        return
    if REPLSET is None:
        raise CommandError(2, "Standalones can't specify commitQuorum", 'BadValue')
    quorum = cmd['commitQuorum']
    if isinstance(quorum, (int, float)) and not isinstance(quorum, bool) and quorum > 1:
        raise CommandError(278, 'Not enough data-bearing voting nodes to satisfy commit quorum',
                           'UnsatisfiableCommitQuorum')


def cmd_create_indexes(db_name, cmd):
    check_commit_quorum(cmd)
    coll = collection(db_name, cmd['createIndexes'])
    existing = {'_id_': {'key': [('_id', 1)]}}
    existing.update(coll._store.indexes)
    before = len(coll.index_information())
    to_create = []
    for spec in cmd.get('indexes', []):
        key = [(k, v) for k, v in spec['key'].items()]
        name = spec.get('name') or mm_helpers.gen_index_name(key)
        if 'expireAfterSeconds' in spec:
            raise CommandError(238, 'the emulator cannot honour TTL indexes: it never expires documents '
                                    '(expireAfterSeconds on index %s)' % name)
        unknown = sorted(set(spec) - IGNORED_INDEX_FIELDS - set(INDEX_OPTIONS))
        if unknown:
            raise CommandError(238, 'the emulator does not support the index option(s) %s (index %s)'
                               % (', '.join(unknown), name))
        options = index_options(spec)
        same_name = existing.get(name)
        if same_name is not None:
            if list(same_name['key']) != key:
                raise CommandError(86, 'An existing index has the same name as the requested index. When index names '
                                       'are not specified, they are auto generated and can cause conflicts. Please '
                                       'refer to our documentation. Requested index: %s, existing index: %s' % (
                                           index_shell(name, key, options),
                                           index_shell(name, same_name['key'], index_options(same_name))))
            if index_options(same_name) != options:
                raise CommandError(85, 'An equivalent index already exists with the same name but different options. '
                                       'Requested index: %s, existing index: %s' % (
                                           index_shell(name, key, options),
                                           index_shell(name, same_name['key'], index_options(same_name))))
            continue
        for other_name, other in existing.items():
            if list(other['key']) == key and other.get('partialFilterExpression') == options.get('partialFilterExpression'):
                raise CommandError(85, 'Index already exists with a different name: %s' % other_name)
        existing[name] = dict({'key': key}, **options)
        to_create.append((key, name, options))
    for key, name, options in to_create:
        coll.create_index(key, name=name, **options)
    after = len(coll.index_information())
    return {'numIndexesBefore': before, 'numIndexesAfter': after, 'createdCollectionAutomatically':
            before == 0, 'ok': 1}


def cmd_list_indexes(db_name, cmd):
    name = cmd['listIndexes']
    db = store[db_name]
    if name not in db.list_collection_names():
        raise CommandError(26, 'ns does not exist: %s.%s' % (db_name, name), 'NamespaceNotFound')
    specs = []
    for index_name, info in db[name].index_information().items():
        spec = {'v': 2, 'key': SON(info['key']), 'name': index_name}
        for option in ('unique', 'sparse', 'partialFilterExpression'):
            if option in info:
                spec[option] = info[option]
        specs.append(spec)
    return cursor_reply('%s.%s' % (db_name, name), specs, None)


def cmd_drop_indexes(db_name, cmd):
    name = cmd.get('dropIndexes', cmd.get('deleteIndexes'))
    if name not in store[db_name].list_collection_names():
        raise CommandError(26, 'ns not found %s.%s' % (db_name, name), 'NamespaceNotFound')
    coll = collection(db_name, name)
    index = cmd.get('index')
    if index == '*':
        coll.drop_indexes()
    else:
        try:
            coll.drop_index(index)
        except mongomock.OperationFailure as exc:
            # mongomock gives no code; the server's IndexNotFound is what callers test for.
            raise CommandError(27, str(exc), 'IndexNotFound')
    return {'ok': 1}


def cmd_db_stats(db_name, cmd):
    db = store[db_name]
    names = db.list_collection_names()
    objects = sum(db[n].estimated_document_count() for n in names)
    return {'db': db_name, 'collections': len(names), 'objects': objects, 'ok': 1}


# --- fault points --------------------------------------------------------------------------------

FAILPOINT_COMMANDS = {'configureFailPoint', 'releaseFailPoint', 'failPointStatus'}


def cmd_configure_fail_point(db_name, cmd):
    if cmd['configureFailPoint'] != 'failCommand':
        raise CommandError(2, 'the emulator has only the failCommand fail point (not %r)' % (cmd['configureFailPoint'],))
    mode = cmd.get('mode')
    data = cmd.get('data') or {}
    app = data.get('appName')
    if mode == 'off':
        if app is None:
            failpoints.clear()
        else:
            failpoints.pop(app, None)
        return {'count': 0, 'ok': 1}
    times = skip = None
    if mode == 'alwaysOn':
        pass
    elif isinstance(mode, dict) and len(mode) == 1 and 'times' in mode:
        times = int(mode['times'])
    elif isinstance(mode, dict) and len(mode) == 1 and 'skip' in mode:
        skip = int(mode['skip'])
    else:
        raise CommandError(2, "mode must be 'alwaysOn', 'off', {times: N} or {skip: N} (got %r)" % (mode,))
    names = data.get('failCommands')
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise CommandError(2, 'data.failCommands must be a non-empty list of command names')
    if data.get('splitUpsert') and not isinstance(data.get('holdUntilReleased'), str):
        raise CommandError(2, 'data.splitUpsert needs data.holdUntilReleased (a label)')
    if 'holdUntilReleased' in data and not isinstance(data['holdUntilReleased'], str):
        raise CommandError(2, 'data.holdUntilReleased must be a string label')
    if times is not None and times <= 0:
        failpoints.pop(app, None)
        return {'count': 0, 'ok': 1}
    failpoints[app] = {'names': frozenset(names), 'times': times, 'skip': skip or 0, 'data': data, 'app': app,
                       'mode': mode}
    return {'count': 0, 'ok': 1}


def cmd_release_fail_point(db_name, cmd):
    label = cmd['releaseFailPoint']
    parks = held.pop(label, [])
    for park in parks:
        wake(park)
    return {'released': len(parks), 'ok': 1}


def cmd_fail_point_status(db_name, cmd):
    parked = [{'label': p.label, 'command': p.command, 'appName': p.app_name, 'ns': p.ns}
              for parks in held.values() for p in parks if not p.done]
    points = [{'appName': fp['app'], 'mode': fp['mode'], 'data': fp['data']} for fp in failpoints.values()]
    waiting = [{'command': p.command, 'appName': p.app_name, 'ns': p.ns}
               for txn in open_txns for p in txn.waiters if not p.done]
    return {'parked': parked, 'waiting': waiting, 'failPoints': points, 'ok': 1}


def matching_failpoint(conn, name):
    if conn.app_name is not None:
        fp = failpoints.get(conn.app_name)
        if fp is not None and name in fp['names']:
            return fp
    fp = failpoints.get(None)
    if fp is not None and name in fp['names']:
        return fp
    return None


def consume(fp):
    """Whether the fault point fires now (counting its skip and times)."""
    if fp['skip'] > 0:
        fp['skip'] -= 1
        return False
    if fp['times'] is not None:
        fp['times'] -= 1
        if fp['times'] <= 0 and failpoints.get(fp['app']) is fp:
            del failpoints[fp['app']]
    return True


def namespace(db_name, cmd, name):
    target = cmd.get(name)
    return '%s.%s' % (db_name, target) if isinstance(target, str) else db_name


def apply_failpoint(conn, fp, cmd, db_name, name):
    global split_point
    data = fp['data']
    if data.get('splitUpsert'):
        split_point = fp
        try:
            return execute(cmd, db_name, name)
        finally:
            split_point = None
    if not consume(fp):
        return execute(cmd, db_name, name)
    if data.get('closeConnection'):
        return CLOSE
    finish = lambda: finish_failpoint(data, cmd, db_name, name)  # noqa: E731
    label = data.get('holdUntilReleased')
    if label is not None:
        return hold(label, name, namespace(db_name, cmd, name), finish)
    if data.get('blockConnection'):
        park = Park(finish, command=name, ns=namespace(db_name, cmd, name))
        call_later(int(data.get('blockTimeMS', 0)) / 1000, lambda: wake(park))
        return park
    return finish()


def finish_failpoint(data, cmd, db_name, name):
    if 'errorCode' in data:
        code = int(data['errorCode'])
        reply = {'ok': 0, 'errmsg': data.get('errmsg') or "Failing command via 'failCommand' failpoint",
                 'code': code}
        if code in CODE_NAMES:
            reply['codeName'] = CODE_NAMES[code]
        labels = data.get('errorLabels')
        if labels is None and REPLSET is not None and 'txnNumber' in cmd and 'autocommit' not in cmd \
                and code in RETRYABLE_CODES:
            labels = ['RetryableWriteError']
        if labels:
            reply['errorLabels'] = list(labels)
        return reply
    outcome = execute(cmd, db_name, name)
    if data.get('closeConnectionAfterWrite'):
        return then(outcome, lambda _reply: CLOSE)
    concern_error = data.get('writeConcernError')
    if concern_error:
        def add_concern_error(reply):
            if reply.get('ok') and not reply.get('writeErrors'):
                reply['writeConcernError'] = dict(concern_error)
            return reply
        return then(outcome, add_concern_error)
    return outcome


# --- replica-set mode: sessions, transactions, retryable writes ----------------------------------

WRITE_COMMANDS = {'insert', 'update', 'delete', 'findAndModify', 'findandmodify'}
TXN_COMMANDS = WRITE_COMMANDS | {'bulkWrite', 'find', 'getMore', 'killCursors', 'aggregate', 'distinct',
                                 'commitTransaction', 'abortTransaction'}
TXN_STANDALONE = 'Transaction numbers are only allowed on a replica set member or mongos'
sessions = {}  # lsid id bytes -> Session
open_txns = []
versions = {}  # (ns, id key) -> sequence of the last write while a transaction was open
# ns -> id key -> [(sequence of a write, the document before it or None)], while a transaction is
# open: a transaction's first touch of a collection rebuilds it as of the transaction's start.
preimages = {}
sequence = [0]


class Session:
    __slots__ = ('txn_number', 'txn', 'retry_number', 'retry_reply')

    def __init__(self):
        self.txn_number = -1
        self.txn = None
        self.retry_number = None
        self.retry_reply = None


class Txn:
    __slots__ = ('number', 'start_seq', 'client', 'copied', 'written', 'waiters', 'state', 'deadline')

    def __init__(self, number):
        self.number = number
        self.start_seq = sequence[0]
        self.client = mongomock.MongoClient()
        self.copied = set()
        self.written = {}  # ns -> set of id keys
        self.waiters = []
        self.state = 'open'
        self.deadline = time.monotonic() + TXN_LIFETIME_S


def txn_collection(txn, db_name, name):
    """The transaction's copy of a collection: the committed documents as of the transaction's start
    (shared until the transaction writes one; see txn_write), the indexes copied."""
    coll = txn.client[db_name][name]
    if (db_name, name) not in txn.copied:
        source = store[db_name][name]._store
        target = coll._store
        documents = target._documents = collections.OrderedDict(source._documents)
        for key, changes in preimages.get('%s.%s' % (db_name, name), {}).items():
            for seq, doc in changes:
                if seq > txn.start_seq:  # the first change since the start holds the document as it was
                    if doc is None:
                        documents.pop(key, None)
                    else:
                        documents[key] = doc
                    break
        target.indexes = copy.deepcopy(source.indexes)
        if source._is_force_created:
            target.create()
        txn.copied.add((db_name, name))
    return coll


def write_targets(coll, name, cmd):
    """The id keys of the documents a write may change (matched now), plus an upsert's `_id`."""
    keys = set()
    if name == 'insert':
        for doc in cmd.get('documents') or []:
            if '_id' in doc:
                keys.add(id_key(doc['_id']))
        return keys
    if name in ('update', 'delete'):
        specs = cmd.get('updates' if name == 'update' else 'deletes') or []
        for spec in specs:
            query = spec.get('q') or {}
            one = not spec.get('multi') if name == 'update' else int(spec.get('limit', 0)) == 1
            found = False
            for doc in coll._iter_documents(query):
                keys.add(id_key(doc['_id']))
                found = True
                if one:
                    break
            if not found and spec.get('upsert') and '_id' in query and not isinstance(query['_id'], dict):
                keys.add(id_key(query['_id']))
        return keys
    query = cmd.get('query') or {}
    old = coll.find_one(query, sort=sort_spec(cmd.get('sort')))
    if old is not None:
        keys.add(id_key(old['_id']))
    elif cmd.get('upsert') and '_id' in query and not isinstance(query['_id'], dict):
        keys.add(id_key(query['_id']))
    return keys


def target_collection(cmd, name):
    return cmd.get(name) if name != 'findandmodify' else cmd.get('findandmodify')


def upserted_keys(reply):
    keys = set()
    if isinstance(reply, dict):
        for item in reply.get('upserted') or []:
            keys.add(id_key(item['_id']))
        last = reply.get('lastErrorObject') or {}
        if last.get('upserted') is not None:
            keys.add(id_key(last['upserted']))
    return keys


def txn_holding(ns, keys, me=None):
    for txn in open_txns:
        if txn is not me:
            written = txn.written.get(ns)
            if written and not written.isdisjoint(keys):
                return txn
    return None


def end_txn(txn, state):
    txn.state = state
    if txn in open_txns:
        open_txns.remove(txn)
    if not open_txns:
        versions.clear()
        preimages.clear()
    txn.client = None
    waiters, txn.waiters = txn.waiters, []
    for park in waiters:
        wake(park)


def commit_txn(txn):
    sequence[0] += 1
    for ns, keys in txn.written.items():
        db_name, _, name = ns.partition('.')
        private = txn.client[db_name][name]._store._documents
        main = store[db_name][name]._store
        before = preimages.setdefault(ns, {})
        for key in keys:
            before.setdefault(key, []).append((sequence[0], main._documents.get(key)))
            if key in private:
                main[key] = private[key]
            else:
                main._documents.pop(key, None)
            versions[(ns, key)] = sequence[0]
    end_txn(txn, 'committed')


expiry_timer = [False]


def expire_txns():
    now = time.monotonic()
    for txn in list(open_txns):
        if txn.deadline <= now:
            end_txn(txn, 'aborted')
    expiry_timer[0] = bool(open_txns)
    if open_txns:
        call_later(min(1.0, TXN_LIFETIME_S), expire_txns)


def write_conflict():
    return {'ok': 0, 'code': 112, 'codeName': 'WriteConflict',
            'errmsg': 'WriteConflict error: this operation conflicted with another operation. '
                      'Please retry your operation or multi-document transaction.',
            'errorLabels': ['TransientTransactionError']}


def no_such_transaction(number, why):
    return {'ok': 0, 'code': 251, 'codeName': 'NoSuchTransaction',
            'errmsg': 'Transaction with { txnNumber: %d } %s' % (number, why),
            'errorLabels': ['TransientTransactionError']}


def session_key(lsid_id):
    # The driver's lsid is a UUID (binary subtype 4), which bson decodes as uuid.UUID, not bytes.
    return getattr(lsid_id, 'bytes', None) or bytes(lsid_id)


def session_for(cmd):
    lsid = cmd.get('lsid')
    if not isinstance(lsid, dict) or 'id' not in lsid:
        raise CommandError(72, 'a transaction number needs a session (lsid)', 'InvalidOptions')
    key = session_key(lsid['id'])
    session = sessions.get(key)
    if session is None:
        session = sessions[key] = Session()
    return session


def cmd_end_sessions(db_name, cmd):
    for lsid in cmd.get('endSessions') or []:
        session = sessions.pop(session_key(lsid.get('id', b'')), None) if isinstance(lsid, dict) else None
        if session is not None and session.txn is not None and session.txn.state == 'open':
            end_txn(session.txn, 'aborted')
    return {'ok': 1}


def cmd_kill_sessions(db_name, cmd):
    return cmd_end_sessions(db_name, {'endSessions': cmd.get('killSessions')})


def cmd_start_session(db_name, cmd):
    return {'id': {'id': bson.Binary(os.urandom(16), 4)}, 'timeoutMinutes': 30, 'ok': 1}


def rs_execute(cmd, db_name, name, handler):
    if 'autocommit' in cmd or 'startTransaction' in cmd:
        return txn_execute(cmd, db_name, name, handler)
    if name in ('commitTransaction', 'abortTransaction'):
        return error_reply(CommandError(72, '%s must be run with autocommit: false in a session' % name))
    if 'txnNumber' in cmd and name in WRITE_COMMANDS:
        return retryable_execute(cmd, db_name, name, handler)
    return rs_write(cmd, db_name, name, handler)


def rs_write(cmd, db_name, name, handler):
    """A command outside any transaction; a write waits for the open transactions that wrote one of
    its documents, as on a real server."""
    if not open_txns or name not in WRITE_COMMANDS:
        return run_handler(handler, db_name, cmd)
    coll_name = target_collection(cmd, name)
    ns = '%s.%s' % (db_name, coll_name)
    try:
        coll = store[db_name][coll_name]
        keys = write_targets(coll, name, cmd)
    except Exception:  # noqa: BLE001 - a bad command: the handler gives its error
        return run_handler(handler, db_name, cmd)
    holder = txn_holding(ns, keys)
    if holder is not None:
        return wait_for(holder, cmd, db_name, name, handler, ns)
    # Transactions share the committed documents until they write them: give this write its own
    # copies, so that mongomock's in-place update does not change what a transaction reads.
    documents = coll._store._documents
    originals = {}
    for key in keys:
        if key in documents:
            originals[key] = documents[key]
            documents[key] = copy.deepcopy(documents[key])
    outcome = run_handler(handler, db_name, cmd)
    indexes = unique_indexes(coll)
    if indexes and isinstance(outcome, dict):
        touched = keys | upserted_keys(outcome)
        holder = txn_unique_clash(ns, [documents[k] for k in touched if k in documents], indexes)
        if holder is not None:
            # A unique key an open transaction wrote: a real server's write waits for that
            # transaction (then fails with E11000 or goes through). Undo it and wait.
            for key in touched:
                if key in originals:
                    documents[key] = originals[key]
                else:
                    documents.pop(key, None)
            return wait_for(holder, cmd, db_name, name, handler, ns)

    def record(reply):
        if open_txns:
            sequence[0] += 1
            before = preimages.setdefault(ns, {})
            for key in keys | upserted_keys(reply):
                versions[(ns, key)] = sequence[0]
                before.setdefault(key, []).append((sequence[0], originals.get(key)))
        return reply

    return then(outcome, record)


def wait_for(holder, cmd, db_name, name, handler, ns):
    park = Park(lambda: rs_write(cmd, db_name, name, handler), command=name, ns=ns)
    holder.waiters.append(park)
    if cmd.get('maxTimeMS'):
        call_later(int(cmd['maxTimeMS']) / 1000, lambda: wake(park, lambda: error_reply(
            CommandError(50, 'operation exceeded time limit', 'MaxTimeMSExpired'))))
    return park


def unique_indexes(coll):
    return [index for index in coll._store.indexes.values() if index.get('unique')]


def unique_values(index, doc):
    """The document's key in a unique index, or None when the index does not hold it."""
    values = []
    for field, _ in index['key']:
        try:
            values.append(mm_helpers.get_value_by_dot(doc, field))
        except KeyError:
            values.append(None)
    if index.get('sparse') and all(v is None for v in values):
        return None
    condition = index.get('partialFilterExpression')
    if condition is not None and not mm_filtering.filter_applies(condition, doc):
        return None
    return values


def txn_unique_clash(ns, docs, indexes, me=None):
    """The open transaction (not `me`) that wrote a document with the same unique key as one of `docs`."""
    db_name, _, name = ns.partition('.')
    for txn in open_txns:
        written = txn.written.get(ns)
        if txn is me or not written or txn.client is None:
            continue
        private = txn.client[db_name][name]._store._documents
        for key in written:
            theirs = private.get(key)
            if theirs is None:
                continue
            for index in indexes:
                value = unique_values(index, theirs)
                if value is None:
                    continue
                for doc in docs:
                    if doc.get('_id') != theirs.get('_id') and unique_values(index, doc) == value:
                        return txn
    return None


def txn_unique_conflict(txn, ns, coll, touched):
    """Whether a document this transaction wrote shares a unique key with one another open
    transaction wrote, or with one committed outside after this transaction started (its own copy
    of the collection cannot show that one)."""
    indexes = unique_indexes(coll)
    if not indexes:
        return False
    private = coll._store._documents
    mine = [private[k] for k in touched if k in private]
    if not mine:
        return False
    if txn_unique_clash(ns, mine, indexes, txn) is not None:
        return True
    db_name, _, name = ns.partition('.')
    written = txn.written.get(ns, ())
    for key, committed in store[db_name][name]._store._documents.items():
        if key in written or versions.get((ns, key), -1) <= txn.start_seq:
            continue
        for index in indexes:
            value = unique_values(index, committed)
            if value is not None and any(unique_values(index, doc) == value for doc in mine):
                return True
    return False


def retryable_execute(cmd, db_name, name, handler):
    try:
        session = session_for(cmd)
    except CommandError as exc:
        return error_reply(exc)
    number = int(cmd['txnNumber'])
    if session.retry_number == number and session.retry_reply is not None:
        return session.retry_reply  # executed already: the stored reply, nothing runs again
    if number < session.txn_number:
        return error_reply(CommandError(225, 'Retryable write with txnNumber %d is prohibited on session because a '
                                             'newer retryable write with txnNumber %d has already started'
                                        % (number, session.txn_number)))
    session.txn_number = number
    if session.txn is not None and session.txn.state == 'open':
        end_txn(session.txn, 'aborted')
    outcome = rs_write(cmd, db_name, name, handler)

    def remember(reply):
        if reply.get('ok'):
            session.retry_number = number
            session.retry_reply = reply
        return reply

    return then(outcome, remember)


def txn_execute(cmd, db_name, name, handler):
    global active_txn
    try:
        session = session_for(cmd)
    except CommandError as exc:
        return error_reply(exc)
    if 'txnNumber' not in cmd or cmd.get('autocommit', True) is not False:
        return error_reply(CommandError(72, 'a transaction needs txnNumber and autocommit: false'))
    number = int(cmd['txnNumber'])
    txn = session.txn
    if cmd.get('startTransaction'):
        if number < session.txn_number or (number == session.txn_number and txn is not None and txn.number == number):
            return error_reply(CommandError(225, 'Cannot start transaction %d on session because transaction %d has '
                                                 'already started' % (number, session.txn_number)))
        if txn is not None and txn.state == 'open':
            end_txn(txn, 'aborted')
        session.txn_number = number
        txn = session.txn = Txn(number)
        open_txns.append(txn)
        if not expiry_timer[0]:
            expiry_timer[0] = True
            call_later(min(1.0, TXN_LIFETIME_S), expire_txns)
    elif txn is None or txn.number != number:
        return no_such_transaction(number, 'is not in progress on this session.')
    elif txn.state == 'committed':
        if name == 'commitTransaction':
            return {'ok': 1}  # a retried commit
        return error_reply(CommandError(256, 'Transaction %d has been committed.' % number))
    elif txn.state == 'aborted':
        if name == 'abortTransaction':
            return {'ok': 1}
        return no_such_transaction(number, 'has been aborted.')
    if name == 'commitTransaction':
        commit_txn(txn)
        return {'ok': 1}
    if name == 'abortTransaction':
        end_txn(txn, 'aborted')
        return {'ok': 1}
    if name not in TXN_COMMANDS:
        end_txn(txn, 'aborted')
        if name in ('create', 'createIndexes'):
            return error_reply(CommandError(263, "the emulator does not run '%s' in a transaction (a real server "
                                                 "can): create it before the transaction" % name))
        return error_reply(CommandError(263, "Cannot run '%s' in a multi-document transaction." % name))
    active_txn = txn
    try:
        if name in WRITE_COMMANDS:
            reply = txn_write(txn, cmd, db_name, name, handler)
        else:
            reply = run_handler(handler, db_name, cmd)
    finally:
        active_txn = None
    # Any failed statement aborts the transaction, as on a real server.
    if isinstance(reply, dict) and (not reply.get('ok') or reply.get('writeErrors') or reply.get('nErrors')) \
            and txn.state == 'open':
        end_txn(txn, 'aborted')
    return reply


def txn_write(txn, cmd, db_name, name, handler):
    coll_name = target_collection(cmd, name)
    ns = '%s.%s' % (db_name, coll_name)
    try:
        coll = collection(db_name, coll_name)
        keys = write_targets(coll, name, cmd)
    except Exception as exc:  # noqa: BLE001
        return error_reply(exc)
    if txn_holding(ns, keys, txn) is not None or any(versions.get((ns, k), -1) > txn.start_seq for k in keys):
        end_txn(txn, 'aborted')
        return write_conflict()
    written = txn.written.setdefault(ns, set())
    documents = coll._store._documents
    for key in keys - written:
        if key in documents:
            documents[key] = copy.deepcopy(documents[key])
    reply = run_handler(handler, db_name, cmd)
    touched = keys | upserted_keys(reply)
    if name == 'insert':
        touched.update(id_key(doc['_id']) for doc in cmd.get('documents') or [] if '_id' in doc)
    written |= touched
    if isinstance(reply, dict) and reply.get('ok') and txn_unique_conflict(txn, ns, coll, touched):
        end_txn(txn, 'aborted')
        return write_conflict()
    return reply


# --- bulkWrite: MongoDB 8.0's cross-collection write (only with --wire-version 25 or more) --------

BULK_WRITE_MIN_WIRE = 25  # MongoDB 8.0


def bulk_write_sub(op, ns_info):
    """One `bulkWrite` operation as the single-statement insert/update/delete command it stands for."""
    for kind in ('insert', 'update', 'delete'):
        if kind in op:
            db_name, _, coll = ns_info[int(op[kind])]['ns'].partition('.')
            break
    else:
        raise CommandError(9, 'bulkWrite: an operation must be insert, update or delete: %r' % list(op))
    if kind == 'insert':
        return kind, db_name, {'insert': coll, 'documents': [op['document']]}
    if kind == 'update':
        if op.get('arrayFilters') or op.get('hint') or op.get('sort') or op.get('collation'):
            raise CommandError(2, 'the emulator does not implement bulkWrite updates with arrayFilters, hint, sort '
                                  'or collation')
        return kind, db_name, {'update': coll, 'updates': [{'q': op.get('filter') or {}, 'u': op.get('updateMods'),
                                                             'upsert': bool(op.get('upsert')),
                                                             'multi': bool(op.get('multi'))}]}
    return kind, db_name, {'delete': coll, 'deletes': [{'q': op.get('filter') or {}, 'limit': 0 if op.get('multi') else 1}]}


def cmd_bulk_write(db_name, cmd):
    """`bulkWrite` on admin: its operations in order, each as the write command it stands for (in
    the open transaction, when there is one), answered as MongoDB 8.0 does: counts, and a cursor of
    one result (or write error) per operation. An error that is not a write error (a write
    conflict in a transaction) is the whole command's answer, as on a real server."""
    if WIRE_VERSION < BULK_WRITE_MIN_WIRE:
        return {'ok': 0, 'errmsg': "no such command: 'bulkWrite'", 'code': 59, 'codeName': 'CommandNotFound'}
    if db_name != 'admin':
        return error_reply(CommandError(13, 'bulkWrite may only be run against the admin database.'))
    if active_txn is None and open_txns:
        return error_reply(CommandError(2, 'the emulator runs bulkWrite outside a transaction only while no '
                                           'transaction is open (it would have to wait for them)'))
    ordered = cmd.get('ordered', True)
    ns_info = cmd.get('nsInfo') or []
    counts = {'nErrors': 0, 'nInserted': 0, 'nUpserted': 0, 'nMatched': 0, 'nModified': 0, 'nDeleted': 0}
    batch = []
    for index, op in enumerate(cmd.get('ops') or []):
        try:
            kind, target_db, sub = bulk_write_sub(op, ns_info)
        except CommandError as exc:
            return error_reply(exc)
        handler = COMMANDS[kind]
        reply = txn_write(active_txn, sub, target_db, kind, handler) if active_txn is not None \
            else run_handler(handler, target_db, sub)
        if not isinstance(reply, dict) or not reply.get('ok'):
            return reply
        if reply.get('writeErrors'):
            error = dict(reply['writeErrors'][0])
            error.pop('index', None)
            batch.append(dict(ok=0, idx=index, **error))
            counts['nErrors'] += 1
            if ordered:
                break
            continue
        entry = {'ok': 1, 'idx': index, 'n': reply.get('n', 0)}
        if kind == 'insert':
            counts['nInserted'] += reply.get('n', 0)
        elif kind == 'delete':
            counts['nDeleted'] += reply.get('n', 0)
        else:
            upserted = reply.get('upserted') or []
            if upserted:
                entry['upserted'] = {'_id': upserted[0]['_id']}
                counts['nUpserted'] += 1
            else:
                counts['nMatched'] += reply.get('n', 0)
                counts['nModified'] += reply.get('nModified', 0)
            entry['nModified'] = reply.get('nModified', 0)
        batch.append(entry)
    firstBatch = batch if not cmd.get('errorsOnly') else [r for r in batch if not r['ok']]
    return dict(ok=1, cursor={'id': Int64(0), 'firstBatch': firstBatch, 'ns': 'admin.$cmd.bulkWrite'}, **counts)


# --- commands, dispatch and the loop -------------------------------------------------------------

COMMANDS = {
    'hello': cmd_hello, 'ismaster': cmd_hello, 'isMaster': cmd_hello,
    'buildinfo': cmd_build_info, 'buildInfo': cmd_build_info,
    'ping': cmd_ok, 'endSessions': cmd_end_sessions, 'killSessions': cmd_kill_sessions,
    'refreshSessions': cmd_ok, 'startSession': cmd_start_session, 'getLastError': cmd_ok,
    'commitTransaction': cmd_ok, 'abortTransaction': cmd_ok, 'getParameter': cmd_ok,
    'serverStatus': cmd_server_status, 'dbStats': cmd_db_stats, 'dbstats': cmd_db_stats,
    'find': cmd_find, 'getMore': cmd_get_more, 'killCursors': cmd_kill_cursors,
    'insert': cmd_insert, 'update': cmd_update, 'delete': cmd_delete,
    'findAndModify': cmd_find_and_modify, 'findandmodify': cmd_find_and_modify,
    'count': cmd_count, 'distinct': cmd_distinct, 'aggregate': cmd_aggregate,
    'listCollections': cmd_list_collections, 'listDatabases': cmd_list_databases,
    'create': cmd_create, 'drop': cmd_drop, 'dropDatabase': cmd_drop_database,
    'createIndexes': cmd_create_indexes, 'listIndexes': cmd_list_indexes,
    'dropIndexes': cmd_drop_indexes, 'deleteIndexes': cmd_drop_indexes,
    'configureFailPoint': cmd_configure_fail_point, 'releaseFailPoint': cmd_release_fail_point,
    'failPointStatus': cmd_fail_point_status,
    'bulkWrite': cmd_bulk_write,
}


def run_handler(handler, db_name, cmd):
    try:
        return handler(db_name, cmd)
    except Exception as exc:  # noqa: BLE001 - the driver gets the reason, the server lives on
        return error_reply(exc)


def unsatisfiable_write_concern(w):
    # One member: a real server would wait for acknowledgements that never come.
    if isinstance(w, (int, float)) and not isinstance(w, bool) and w > 1:
        return {'ok': 0, 'code': 100, 'codeName': 'UnsatisfiableWriteConcern',
                'errmsg': 'Not enough data-bearing nodes: the emulator has one member (w: %s)' % w}
    if isinstance(w, str):
        return {'ok': 0, 'code': 79, 'codeName': 'UnknownReplWriteConcern',
                'errmsg': 'No write concern mode named \'%s\' found in replica set configuration' % w}
    return None


def execute(cmd, db_name, name):
    handler = COMMANDS.get(name)
    if handler is None:
        return {'ok': 0, 'errmsg': "no such command: '%s'" % name, 'code': 59, 'codeName': 'CommandNotFound'}
    concern = cmd.get('writeConcern')
    if concern and concern.get('w') not in ('majority', 1, None, 0):
        refusal = unsatisfiable_write_concern(concern['w'])
        if refusal is not None:
            return refusal
    if REPLSET is not None:
        return rs_execute(cmd, db_name, name, handler)
    if 'txnNumber' in cmd or 'startTransaction' in cmd or 'autocommit' in cmd:
        return {'ok': 0, 'errmsg': TXN_STANDALONE, 'code': 20, 'codeName': 'IllegalOperation'}
    try:
        return handler(db_name, cmd)
    except Exception as exc:  # noqa: BLE001 - the driver gets the reason, the server lives on
        return error_reply(exc)


def dispatch(conn, cmd, db_name):
    name = next(iter(cmd))
    if failpoints and name not in FAILPOINT_COMMANDS:
        fp = matching_failpoint(conn, name)
        if fp is not None:
            return apply_failpoint(conn, fp, cmd, db_name, name)
    return execute(cmd, db_name, name)


OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
MORE_TO_COME = mockupdb.OP_MSG_FLAGS['moreToCome']
reply_ids = itertools.count(1)
TIME_VARIABLES = {'errmsg': 'the emulator does not evaluate $$NOW or $$CLUSTER_TIME (it would ignore them): '
                            'send a time from the client (the server clock is hello.localTime)',
                  'code': 238, 'codeName': 'NotImplemented', 'ok': 0}


def encode_reply(frame, reply):
    opcode, request_id, _silent = frame
    if opcode == OP_MSG:
        body = struct.pack('<I', 0) + b'\x00' + bson.BSON.encode(reply)
    else:
        body = struct.pack('<iqii', 0, 0, 0, 1) + bson.BSON.encode(reply)
    return struct.pack('<iiii', 16 + len(body), next(reply_ids), request_id, opcode if opcode == OP_MSG else OP_REPLY) + body


def handle(conn, message):
    """One wire message in; its outcome delivered (now, or when a parked command resumes)."""
    global current_conn
    _length, request_id, _response_to, opcode = struct.unpack('<iiii', message[:16])
    if opcode == OP_MSG:
        request = mockupdb.OpMsg.unpack(message[16:], None, None, request_id)
        cmd, db_name, silent = request.doc, request.doc.get('$db', 'admin'), bool((request.flags or 0) & MORE_TO_COME)
    elif opcode == OP_QUERY:  # the legacy handshake some drivers still open with
        request = mockupdb.OpQuery.unpack(message[16:], None, None, request_id)
        cmd, db_name, silent = request.doc, request.namespace, False
        if not request.is_command:
            return deliver(conn, {'$err': 'the emulator only answers commands', 'code': 2}, (opcode, request_id, False))
    else:
        raise ValueError('unsupported opcode %d' % opcode)
    frame = (opcode, request_id, silent)
    if b'$$' in message and (b'$$NOW' in message or b'$$CLUSTER_TIME' in message):
        return deliver(conn, dict(TIME_VARIABLES), frame)
    current_conn = conn
    if failpoints:
        outcome = dispatch(conn, cmd, db_name)
    else:
        outcome = execute(cmd, db_name, next(iter(cmd)))
    deliver(conn, outcome, frame)


def deliver(conn, outcome, frame):
    if isinstance(outcome, Park):
        outcome.conn = conn
        outcome.frame = frame
        conn.parked = outcome
        return
    conn.parked = None
    if outcome is CLOSE:
        close(conn)
        return
    if frame[2] or conn.closed:
        return  # an unacknowledged write (w: 0), or nobody left to answer
    data = encode_reply(frame, outcome)
    sock = conn.sock
    try:
        sent = sock.send(data)
        if sent < len(data):
            sock.setblocking(True)  # a large reply: let the kernel take the rest whole
            sock.sendall(memoryview(data)[sent:])
            sock.setblocking(False)
    except BlockingIOError:
        sock.setblocking(True)
        try:
            sock.sendall(data)
        except OSError:
            close(conn)
            return
        sock.setblocking(False)
    except OSError:
        close(conn)


selector = selectors.DefaultSelector()


def close(conn):
    if conn.closed:
        return
    conn.closed = True
    try:
        selector.unregister(conn.sock)
    except (KeyError, ValueError):
        pass
    conn.buf = bytearray()
    conn.sock.close()


def drain(conn):
    buf = conn.buf
    while not conn.parked and not conn.closed and len(buf) >= 4:
        length = struct.unpack('<i', buf[:4])[0]
        if len(buf) < length:
            break
        message = bytes(buf[:length])
        del buf[:length]
        try:
            handle(conn, message)
        except Exception:  # noqa: BLE001 - a message we cannot read ends its connection
            close(conn)
            break


def resume_ready():
    global current_conn
    while ready:
        park = ready.popleft()
        conn = park.conn
        if conn is None:  # woken before it was delivered (cannot happen in one turn, kept safe)
            continue
        current_conn = conn
        try:
            outcome = park.resume()
        except Exception as exc:  # noqa: BLE001
            outcome = error_reply(exc)
        finally:
            current_conn = None
        deliver(conn, outcome, park.frame)
        if not conn.parked and not conn.closed:
            drain(conn)


def run_timers():
    now = time.monotonic()
    while timers and timers[0][0] <= now:
        _, _, callback = heapq.heappop(timers)
        callback()


def serve(listener, stop):
    selector.register(listener, selectors.EVENT_READ)
    parent = os.getppid()
    while not stop():
        if ready:
            timeout = 0
        elif timers:
            timeout = min(1.0, max(0.0, timers[0][0] - time.monotonic()))
        else:
            timeout = 1.0
        for key, _ in selector.select(timeout=timeout):
            if key.fileobj is listener:
                sock, _ = listener.accept()
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                selector.register(sock, selectors.EVENT_READ, Conn(sock))
                continue
            conn = key.data
            try:
                chunk = conn.sock.recv(1 << 20)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                close(conn)
                continue
            if not chunk:
                close(conn)
                continue
            conn.buf += chunk
            drain(conn)
        if timers:
            run_timers()
        if ready:
            resume_ready()
        if os.getppid() != parent:  # orphaned: whoever started us is gone
            break


def main():
    global REPLSET, HOST, TXN_LIFETIME_S, WIRE_VERSION
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--replset', metavar='NAME', help='run as a one-member replica set of this name')
    parser.add_argument('--wire-version', type=int, default=WIRE_VERSION,
                        help='the maxWireVersion hello reports (default 17, MongoDB 6.0; 25 = 8.0 adds bulkWrite)')
    parser.add_argument('--transaction-lifetime-seconds', type=float, default=60.0,
                        help='open transactions abort this long after they start (default 60)')
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', args.port))
    listener.listen(512)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    HOST = '127.0.0.1:%d' % port
    REPLSET = args.replset
    WIRE_VERSION = args.wire_version
    TXN_LIFETIME_S = args.transaction_lifetime_seconds
    suffix = '/?replicaSet=%s' % REPLSET if REPLSET else ''
    print('MONGODB_URI=mongodb://127.0.0.1:%d%s' % (port, suffix), flush=True)

    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.append(True))
    serve(listener, lambda: bool(stopping))
    listener.close()


if __name__ == '__main__':
    main()
