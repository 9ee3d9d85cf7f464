package dev.lockauditor.cli.aws;

import dev.lockauditor.runtime.SetupException;
import java.net.ConnectException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** AWS failures a user can fix, said as one line: the missing permission, the missing credentials, the endpoint. */
public final class AwsErrors {

    private AwsErrors() {
    }

    /** Runs a call; an access, credentials or connection failure becomes a setup error naming what to fix. */
    public static <T> T explain(Supplier<T> call, String permission) {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            if (e.statusCode() == 403 || code.contains("AccessDenied") || code.contains("UnauthorizedOperation")) {
                throw new SetupException("access denied: the credentials in use need " + permission);
            }
            if (code.equals("ResourceNotFoundException") || code.equals("NoSuchBucket")) {
                throw new SetupException("not found: " + permission.substring(permission.indexOf(" on ") + 4)
                        + " does not exist");
            }
            throw new SetupException(permission.substring(0, permission.indexOf(' ')) + " failed: "
                    + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage()));
        } catch (SdkClientException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof ConnectException)) {
                cause = cause.getCause();
            }
            if (cause instanceof ConnectException) {
                throw new SetupException("cannot reach the AWS endpoint: " + cause.getMessage());
            }
            if (String.valueOf(e.getMessage()).contains("credentials")) {
                throw new SetupException("no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
                        + "AWS_SECRET_ACCESS_KEY, or log in with aws sso login");
            }
            throw new SetupException(e.getMessage());
        }
    }
}
