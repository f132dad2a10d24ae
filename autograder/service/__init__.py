"""The submission service (``autograder serve``): uploads, a durable grading queue, feedback pages."""
