namespace AlertBot.Storage.Migrations;

/// <summary>The database's schema cannot be used by this build (for example it was migrated by a newer AlertBot).</summary>
public sealed class StorageSchemaException : Exception
{
    public StorageSchemaException()
    {
    }

    public StorageSchemaException(string message)
        : base(message)
    {
    }

    public StorageSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
