package dev.lockauditor.cli.aws;

import dev.lockauditor.runtime.SetupException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** What a user is told when AWS says no. */
class AwsErrorsTest {

    static String message(RuntimeException failure) {
        return assertThrows(SetupException.class, () -> AwsErrors.explain(() -> {
            throw failure;
        }, "dynamodb:Scan on terraform-locks")).getMessage();
    }

    @Test
    void accessDeniedNamesThePermission() {
        AwsServiceException denied = AwsServiceException.builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder()
                .errorCode("AccessDeniedException").errorMessage("User is not authorized to perform: dynamodb:Scan").build())
                .build();

        assertEquals("access denied: the credentials in use need dynamodb:Scan on terraform-locks", message(denied));
    }

    @Test
    void aMissingResourceIsNamed() {
        AwsServiceException missing = AwsServiceException.builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder()
                .errorCode("ResourceNotFoundException").errorMessage("Requested resource not found").build()).build();

        assertEquals("not found: terraform-locks does not exist", message(missing));
    }

    @Test
    void noCredentialsSaysHowToGiveSome() {
        SdkClientException none = SdkClientException.create("Unable to load credentials from any of the providers in "
                + "the chain AwsCredentialsProviderChain(...)");

        assertEquals("no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                + "or log in with aws sso login", message(none));
    }

    @Test
    void anEndpointThatDoesNotAnswerIsSaidSo() {
        SdkClientException refused = SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused"));

        assertEquals("cannot reach the AWS endpoint: Connection refused", message(refused));
    }
}
