package dev.lockauditor.history;

/**
 * The names history items are stored, queried and printed with (the history table's attributes, the JSON of
 * {@code bin/lock-auditor history --json} and of {@code local}'s history lines): the only place they are spelled.
 */
public final class HistoryAttributes {

    // Every entry.
    public static final String STATE_PATH = "statePath";
    public static final String EVENT_KEY = "eventKey";
    public static final String EVENT = "event";
    public static final String AT = "at";
    public static final String BUCKET = "bucket";
    public static final String KEY = "key";
    public static final String WORKSPACE = "workspace";
    public static final String SOURCE = "source";
    public static final String SOURCE_EVENT_ID = "sourceEventId";
    public static final String SOURCE_POSITION = "sourcePosition";
    /** When DynamoDB's TTL removes the item. */
    public static final String EXPIRES_AT = "expiresAt";
    /** The store's own bookkeeping on an item, never part of what an entry says. */
    public static final String WRITE_ID = "writeId";
    /** The environment the entry's state is in ({@code ENVIRONMENTS}), as stored; not part of what it says. */
    public static final String ENVIRONMENT = "environment";
    public static final String ALERT_STATUS = "alertStatus";
    public static final String PENDING_UNTIL = "pendingUntil";

    // A lock, as its lock info says.
    /** Whether a written object's ETag is the MD5 of its body (then two writes' ETags tell whether they differ). */
    public static final String ETAG_IS_MD5 = "etagIsMd5";
    public static final String LOCK_ID = "lockId";
    public static final String OPERATION = "operation";
    public static final String WHO = "who";
    public static final String VERSION = "version";
    public static final String CREATED = "created";
    public static final String INFO = "info";
    public static final String HELD_FOR_SECONDS = "heldForSeconds";

    // An object of the state bucket, as its event says.
    public static final String SIZE = "size";
    public static final String ETAG = "etag";
    public static final String VERSION_ID = "versionId";
    public static final String SEQUENCER = "sequencer";
    public static final String WRITER = "writer";
    public static final String SOURCE_IP = "sourceIp";
    public static final String REASON = "reason";
    public static final String DELETE_MARKER = "deleteMarker";
    public static final String REQUEST_ID = "requestId";

    // Who, from CloudTrail (sourceIp is shared with the object's event, which names the same address)
    public static final String PRINCIPAL_ARN = "principalArn";
    public static final String USER_AGENT = "userAgent";
    public static final String TOOL = "tool";
    public static final String FORCED = "forced";

    // A state's header.
    public static final String STATE_VERSION = "stateVersion";
    public static final String TERRAFORM_VERSION = "terraformVersion";
    public static final String SERIAL = "serial";
    public static final String LINEAGE = "lineage";
    public static final String HEADER_READABLE = "headerReadable";
    /** Why a written object's header is not in history: it could not be read, is not a state, or is encrypted. */
    public static final String WHY_UNREADABLE = "whyUnreadable";
    /** What {@link #WHY_UNREADABLE} was stored as before it had its own name; read, never written. */
    public static final String ENCRYPTION = "encryption";
    /** What an object written at a state's key that is not a state is ("an HTML page"), never its bytes. */
    public static final String FOUND = "found";
    public static final String CONTENT_TYPE = "contentType";

    // An acknowledgement of a lock held on purpose (and its REASON).
    public static final String ACKNOWLEDGED_BY = "acknowledgedBy";
    public static final String UNTIL = "until";

    // A digest item.
    public static final String DIGEST = "digest";
    public static final String PREVIOUS_DIGEST = "previousDigest";

    // An alert raised.
    public static final String SEVERITY = "severity";
    public static final String DETECTED_AT = "detectedAt";
    public static final String SUMMARY = "summary";

    private HistoryAttributes() {
    }
}
