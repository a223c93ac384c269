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
