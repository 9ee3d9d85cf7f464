package dev.lockauditor.terraform;

/** Content that claims to be Terraform's but is not in Terraform's shape. The message is the reason, never the content. */
public class MalformedException extends Exception {
    public MalformedException(String reason) {
        super(reason, null, false, false);
    }
}
