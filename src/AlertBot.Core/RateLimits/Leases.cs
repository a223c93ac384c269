using System.Threading.RateLimiting;

namespace AlertBot.Core.RateLimits;

/// <summary>A refusal, with how long until a permit would be granted when that is known.</summary>
internal sealed class FailedLease(TimeSpan? retryAfter) : RateLimitLease
{
    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
        return metadata is not null;
    }
}

/// <summary>A permit that needs no giving back (a token taken from a bucket, a key without a limit).</summary>
internal sealed class GrantedLease : RateLimitLease
{
    public static readonly GrantedLease Instance = new();

    public override bool IsAcquired => true;

    public override IEnumerable<string> MetadataNames => [];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }
}
