namespace AlertBot.Storage;

/// <summary>
/// The database cannot be opened or used, for a reason the operator can fix (an unwritable folder, a damaged file, a
/// refused password, a missing schema). The message says why and what to do, in one sentence each, and never holds a
/// password; the provider's own exception is the inner exception.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
