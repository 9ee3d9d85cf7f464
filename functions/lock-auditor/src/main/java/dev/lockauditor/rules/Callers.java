package dev.lockauditor.rules;

import dev.lockauditor.history.Facts;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who made a request, as CloudTrail names the caller: the tool behind a user agent. Terraform's and OpenTofu's S3
 * backends name themselves in it (Terraform: {@code APN/1.0 HashiCorp/1.0 Terraform/1.11.2 (+https://www.terraform.io)};
 * OpenTofu: {@code APN/1.0 OpenTofu/1.10.0}), the AWS CLI as {@code aws-cli/2.15.0 ...}, the console as
 * {@code console.aws.amazon.com} or {@code AWS Internal}; anything else is an SDK or script.
 */
public final class Callers {

    private static final Pattern TERRAFORM = Pattern.compile("(?:^|[\\s\\[])Terraform/(\\d[\\w.+-]*)");
    private static final Pattern TOFU = Pattern.compile("(?:^|[\\s\\[])OpenTofu/(\\d[\\w.+-]*)");
    private static final Pattern AWS_CLI = Pattern.compile("(?:^|[\\s\\[])aws-cli/(\\d[\\w.+-]*)");

    private Callers() {
    }

    /** The tool a user agent names: {@code terraform 1.11.2}, {@code tofu 1.10.0}, {@code aws-cli 2.15.0}, {@code console}, {@code sdk}; null when there is none. */
    public static String tool(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return null;
        }
        String version = last(TERRAFORM, userAgent);
        if (version != null) {
            return "terraform " + version;
        }
        version = last(TOFU, userAgent);
        if (version != null) {
            return "tofu " + version;
        }
        version = last(AWS_CLI, userAgent);
        if (version != null) {
            return "aws-cli " + version;
        }
        if (userAgent.contains("console.aws.amazon.com") || userAgent.equals("AWS Internal")
                || userAgent.contains("signin.amazonaws.com")) {
            return "console";
        }
        return "sdk";
    }

    private static String last(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        String found = null;
        while (matcher.find()) {
            found = matcher.group(1);
        }
        return found;
    }
}
