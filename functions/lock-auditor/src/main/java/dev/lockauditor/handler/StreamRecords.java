package dev.lockauditor.handler;

import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.lockauditor.events.LockTableChange;
import dev.lockauditor.events.LockTableChange.Image;
import dev.lockauditor.terraform.MalformedException;
import java.util.HashMap;
import java.util.Map;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;

/** Translates a DynamoDB stream record, as Lambda delivers it, into a {@link LockTableChange}. */
final class StreamRecords {

    private StreamRecords() {
    }

    static LockTableChange toChange(DynamodbStreamRecord record) throws MalformedException {
        LockTableChange.Kind kind;
        try {
            kind = LockTableChange.Kind.valueOf(String.valueOf(record.getEventName()));
        } catch (IllegalArgumentException e) {
            throw new MalformedException("event name is not INSERT, MODIFY or REMOVE");
        }
        StreamRecord stream = record.getDynamodb();
        if (stream == null || stream.getApproximateCreationDateTime() == null || stream.getSequenceNumber() == null) {
            throw new MalformedException("no dynamodb record with a creation time and a sequence number");
        }
        // A deletion by the table's time to live is the only change whose record names a caller: DynamoDB itself.
        boolean byTtl = record.getUserIdentity() != null
                && "Service".equals(record.getUserIdentity().getType())
                && "dynamodb.amazonaws.com".equals(record.getUserIdentity().getPrincipalId());
        return new LockTableChange(kind, record.getEventID(), stream.getSequenceNumber(),
                stream.getApproximateCreationDateTime().toInstant(),
                image(stream.getOldImage()), image(stream.getNewImage()), byTtl);
    }

    private static Image image(Map<String, AttributeValue> attributes) {
        if (attributes == null) {
            return null;
        }
        Map<String, String> strings = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        attributes.forEach((name, value) -> {
            types.put(name, typeOf(value));
            if (value != null && value.getS() != null) {
                strings.put(name, value.getS());
            }
        });
        return new Image(strings, types);
    }

    /** DynamoDB's attribute types, in the order {@link #typeOf} looks for them. */
    private static final String[] TYPES = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};

    private static String typeOf(AttributeValue value) {
        if (value == null) {
            return "none";
        }
        Object[] values = {value.getS(), value.getN(), value.getB(), value.getBOOL(), value.getNULL(), value.getM(),
                value.getL(), value.getSS(), value.getNS(), value.getBS()};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                return TYPES[i];
            }
        }
        return "none";
    }
}
