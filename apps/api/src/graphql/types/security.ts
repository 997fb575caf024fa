// Object types of security scanning: a manifest's summary (the Tags view) and its full report (the tag page).
import { Field, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "Distinct vulnerabilities of an image by their highest severity" })
export class SeverityCounts {
  @Field(() => Int) critical!: number;
  @Field(() => Int) high!: number;
  @Field(() => Int) medium!: number;
  @Field(() => Int) low!: number;
  @Field(() => Int) negligible!: number;
  @Field(() => Int) unknown!: number;
}

@ObjectType({ description: "What the scanner says about one manifest" })
export class SecuritySummary {
  @Field(() => String) digest!: string;
  @Field(() => String, { description: "queued, scanned, failed or unsupported" }) status!: string;
  @Field(() => String, { nullable: true, description: "Why it failed or is unsupported" })
  reason!: string | null;
  @Field(() => SeverityCounts) counts!: SeverityCounts;
  @Field(() => Int, { description: "Distinct vulnerabilities" }) total!: number;
  @Field(() => Int, { description: "Distinct vulnerabilities with a fixed version" }) fixable!: number;
  @Field(() => String, { nullable: true, description: "The highest severity found" }) highest!: string | null;
}

@ObjectType()
export class SecurityDistribution {
  @Field(() => String) id!: string;
  @Field(() => String) versionId!: string;
  @Field(() => String, { nullable: true }) prettyName!: string | null;
}

@ObjectType({ description: "One vulnerability affecting one package of the image" })
export class SecurityVulnerability {
  @Field(() => String, { description: "The advisory's id (CVE-…, DSA-…, GHSA-…)" }) id!: string;
  @Field(() => String) severity!: string;
  @Field(() => String) summary!: string;
  @Field(() => String) description!: string;
  @Field(() => String, { nullable: true }) link!: string | null;
  @Field(() => [String]) links!: string[];
  @Field(() => [String]) aliases!: string[];
  @Field(() => String, { nullable: true, description: "The version that fixes it, if any" }) fixedBy!:
    string | null;
  @Field(() => Int) packageIndex!: number;
  @Field(() => String) packageName!: string;
  @Field(() => String) packageVersion!: string;
  @Field(() => String) packageKind!: string;
}

@ObjectType({ description: "One package of the image, with the layer that added it" })
export class SecurityPackage {
  @Field(() => Int) index!: number;
  @Field(() => String, { description: "dpkg, apk, rpm, pypi, npm, maven, go or rubygems" }) kind!: string;
  @Field(() => String) name!: string;
  @Field(() => String) version!: string;
  @Field(() => String, { nullable: true, description: "The source package, for distribution packages" })
  sourceName!: string | null;
  @Field(() => String, { description: "Digest of the layer that introduced it" }) addedBy!: string;
  @Field(() => String, { description: "The file that declares it" }) path!: string;
  @Field(() => String, { nullable: true, description: "The advisory ecosystem it is matched in" })
  namespace!: string | null;
  @Field(() => [SecurityVulnerability]) vulnerabilities!: SecurityVulnerability[];
}

@ObjectType({ description: "A manifest's full security report" })
export class SecurityReport {
  @Field(() => String) digest!: string;
  @Field(() => String) status!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => SecurityDistribution, { nullable: true }) distribution!: SecurityDistribution | null;
  @Field(() => [String], { description: "What the indexer found but could not read" }) warnings!: string[];
  @Field(() => Date, { nullable: true }) scannedAt!: Date | null;
  @Field(() => SecuritySummary) summary!: SecuritySummary;
  @Field(() => [SecurityPackage], { description: "Packages, filtered as asked" })
  packages!: SecurityPackage[];
  @Field(() => [SecurityVulnerability], {
    description: "Vulnerabilities, highest severity first, filtered as asked",
  })
  vulnerabilities!: SecurityVulnerability[];
}
