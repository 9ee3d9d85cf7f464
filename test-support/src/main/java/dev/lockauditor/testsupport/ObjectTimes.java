package dev.lockauditor.testsupport;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When each object version of a bucket was written on a simulated day's clock, and moto's answers told in it. moto
 * stamps objects with the wall clock, while the day's writes happen on {@link DayClock}: the writer records each version
 * it writes, and {@link FaultyEndpoint} puts these times in place of moto's ({@code Last-Modified} of a HEAD or GET,
 * {@code LastModified} of a listing), whole seconds as S3 keeps them.
 */
public final class ObjectTimes {

    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter LISTED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern ENTRY = Pattern.compile("<(Version|DeleteMarker|Contents)>(.*?)</\\1>", Pattern.DOTALL);
    private static final Pattern KEY = Pattern.compile("<Key>(.*?)</Key>", Pattern.DOTALL);
    private static final Pattern VERSION_ID = Pattern.compile("<VersionId>(.*?)</VersionId>");
    private static final Pattern LAST_MODIFIED = Pattern.compile("<LastModified>[^<]*</LastModified>");

    private final String bucket;
    private final Map<String, Instant> byVersion = new HashMap<>();
    private final Map<String, Instant> latest = new HashMap<>();

    public ObjectTimes(String bucket) {
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    /** A version (or delete marker) of {@code key} written at {@code at}; {@code versionId} null when unversioned. */
    public synchronized void written(String key, String versionId, Instant at, boolean deleteMarker) {
        Instant second = at.truncatedTo(ChronoUnit.SECONDS);
        byVersion.put(key + "\n" + versionId, second);
        if (!deleteMarker) {
            latest.put(key, second);
        }
    }

    private synchronized Instant of(String key, String versionId) {
        Instant at = versionId == null || versionId.equals("null") ? null : byVersion.get(key + "\n" + versionId);
        return at != null ? at : latest.get(key);
    }

    /** A HEAD's or GET's {@code Last-Modified} for a version of {@code key}, or the header as it was. */
    String lastModifiedHeader(String key, String versionId, String header) {
        Instant at = of(key, versionId);
        return at == null ? header : HTTP_DATE.format(at);
    }

    /** A listing of objects or of versions, each entry's {@code LastModified} told in the day's clock. */
    String listing(String xml) {
        Matcher entries = ENTRY.matcher(xml);
        StringBuilder out = new StringBuilder();
        while (entries.find()) {
            String entry = entries.group(2);
            Matcher key = KEY.matcher(entry);
            Matcher versionId = VERSION_ID.matcher(entry);
            Instant at = key.find() ? of(unescape(key.group(1)), versionId.find() ? versionId.group(1) : null) : null;
            String replaced = at == null ? entry
                    : LAST_MODIFIED.matcher(entry).replaceFirst("<LastModified>" + LISTED.format(at) + "</LastModified>");
            entries.appendReplacement(out, Matcher.quoteReplacement("<" + entries.group(1) + ">" + replaced + "</"
                    + entries.group(1) + ">"));
        }
        entries.appendTail(out);
        return out.toString();
    }

    private static String unescape(String xml) {
        return xml.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }
}
