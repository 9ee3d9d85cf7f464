package dev.lockauditor.aws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the AWS SDK clients, each once: one URL-connection HTTP client (behind {@link PrimingTransport}),
 * an explicit region ({@code AWS_REGION}) and credentials provider, and {@code AWS_ENDPOINT_URL}
 * as the endpoint of every client when it is set.
 */
public final class AwsClients {

    private final Map<String, String> env;
    private final Region region;
    private final URI endpoint;
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http;
    private final List<ExecutionInterceptor> interceptors;
    // Each client is built on first use, once: a function builds those it uses during init (Components.forLambda).
    private final Once<DynamoDbClient> dynamoDb = new Once<>(() -> client(DynamoDbClient.builder()));
    private final Once<DynamoDbStreamsClient> dynamoDbStreams = new Once<>(() -> client(DynamoDbStreamsClient.builder()));
    private final Once<S3Client> s3 = new Once<>(() -> client(S3Client.builder().forcePathStyle(emulated())));
    private final Once<SnsClient> sns = new Once<>(() -> client(SnsClient.builder()));
    private final Once<SqsClient> sqs = new Once<>(() -> client(SqsClient.builder()));
    private final Once<SecretsManagerClient> secretsManager = new Once<>(() -> client(SecretsManagerClient.builder()));

    /** A value made on first use, once. */
    private static final class Once<T> {
        private final java.util.function.Supplier<T> make;
        private T value;

        Once(java.util.function.Supplier<T> make) {
            this.make = make;
        }

        synchronized T get() {
            if (value == null) {
                value = make.get();
            }
            return value;
        }
    }

    private AwsClients(Map<String, String> env, AwsCredentialsProvider credentials) {
        this(env, credentials, List.of());
    }

    private AwsClients(Map<String, String> env, AwsCredentialsProvider credentials,
                       List<ExecutionInterceptor> interceptors) {
        String regionName = env.getOrDefault("AWS_REGION", env.get("AWS_DEFAULT_REGION"));
        if (regionName == null || regionName.isBlank()) {
            throw new IllegalStateException("AWS_REGION is not set");
        }
        this.region = Region.of(regionName);
        String endpointUrl = env.get("AWS_ENDPOINT_URL");
        this.endpoint = endpointUrl == null || endpointUrl.isBlank() ? null : URI.create(endpointUrl);
        this.credentials = credentials;
        this.http = new PrimingTransport(UrlConnectionHttpClient.builder().build());
        this.interceptors = List.copyOf(interceptors);
        this.env = env;
    }

    /** Clients for the same endpoint and region that sign with other credentials (another account's role). */
    public AwsClients withCredentials(AwsCredentialsProvider other) {
        return new AwsClients(env, other, interceptors);
    }

    /** The credentials these clients sign with. */
    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    /** The same clients, each also running {@code interceptor} on every request (to count or inject faults). */
    public AwsClients withInterceptor(ExecutionInterceptor interceptor) {
        List<ExecutionInterceptor> all = new ArrayList<>(interceptors);
        all.add(interceptor);
        return new AwsClients(env, credentials, all);
    }

    /**
     * Every client's configuration: the SDK's standard retries (3 attempts), so that a throttled or failing
     * call gives up within seconds and the stream's own retry takes over, well inside a function's timeout.
     */
    private ClientOverrideConfiguration configuration() {
        ClientOverrideConfiguration.Builder builder = ClientOverrideConfiguration.builder()
                .retryStrategy(RetryMode.STANDARD);
        interceptors.forEach(builder::addExecutionInterceptor);
        return builder.build();
    }

    /**
     * For a Lambda function: the container credentials Lambda gives SnapStart functions, else the
     * execution role's credentials from the environment.
     */
    public static AwsClients forLambda(Map<String, String> env) {
        return new AwsClients(env, AwsCredentialsProviderChain.builder()
                .credentialsProviders(ContainerCredentialsProvider.create(),
                        EnvironmentVariableCredentialsProvider.create())
                .build());
    }

    /**
     * For the command-line tools: the access key in {@code env} when it has one, else the SDK's default
     * credentials chain (environment, profiles, SSO, ...).
     */
    public static AwsClients forTools(Map<String, String> env) {
        String keyId = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (keyId != null && secret != null) {
            String token = env.get("AWS_SESSION_TOKEN");
            return new AwsClients(env, StaticCredentialsProvider.create(token == null
                    ? AwsBasicCredentials.create(keyId, secret)
                    : AwsSessionCredentials.create(keyId, secret, token)));
        }
        return new AwsClients(env, DefaultCredentialsProvider.builder().build());
    }

    /**
     * The credentials these clients sign with, as environment variables ({@code AWS_ACCESS_KEY_ID}, ...), for a
     * process of ours that is to act as the same principal; empty when none can be found.
     */
    public java.util.Optional<Map<String, String>> resolvedCredentials() {
        try {
            var identity = credentials.resolveCredentials();
            Map<String, String> variables = new java.util.LinkedHashMap<>();
            variables.put("AWS_ACCESS_KEY_ID", identity.accessKeyId());
            variables.put("AWS_SECRET_ACCESS_KEY", identity.secretAccessKey());
            if (identity instanceof AwsSessionCredentials session) {
                variables.put("AWS_SESSION_TOKEN", session.sessionToken());
            }
            return java.util.Optional.of(variables);
        } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
            return java.util.Optional.empty();
        }
    }

    public Region region() {
        return region;
    }

    /** The endpoint override, or null for AWS's own endpoints. */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Any SDK client, configured as every client of the auditor is: region, credentials, the URL-connection
     * HTTP client, standard retries, the endpoint override.
     */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder) {
        builder.region(region).credentialsProvider(credentials).httpClient(http)
                .overrideConfiguration(configuration());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    /** Whether an endpoint is set: an emulator, whose S3 wants path-style addressing. */
    private boolean emulated() {
        return endpoint != null;
    }

    // One line each: the clients, built once (above).
    public DynamoDbClient dynamoDb() { return dynamoDb.get(); }
    public DynamoDbStreamsClient dynamoDbStreams() { return dynamoDbStreams.get(); }
    /** S3, with path-style addressing when an endpoint is set (as emulators need). */
    public S3Client s3() { return s3.get(); }
    public SnsClient sns() { return sns.get(); }
    public SqsClient sqs() { return sqs.get(); }
    public SecretsManagerClient secretsManager() { return secretsManager.get(); }
}
