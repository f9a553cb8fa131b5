import jetbrains.buildServer.configs.kotlin.*
import jetbrains.buildServer.configs.kotlin.buildFeatures.approval
import jetbrains.buildServer.configs.kotlin.buildFeatures.provideAwsCredentials
import jetbrains.buildServer.configs.kotlin.buildSteps.script
import jetbrains.buildServer.configs.kotlin.triggers.vcs

/*
 * The deploy pipeline as TeamCity build configurations, chained by snapshot dependencies:
 *
 *   Test → Build & Push → Deploy QA → Verify QA → Promote & Deploy Prod
 *
 * Every step runs stages of the same pipeline `npm run pipeline` runs locally. The pipeline state
 * file (image tags and digests) is each build's artifact and the next build's artifact dependency;
 * the digests are also build parameters (`##teamcity[setParameter ...]` from the tools), which the
 * next builds pass back with --expect, so prod runs exactly the digest QA verified.
 *
 * Set up once in the UI, nothing secret here: an AWS connection with id PlatformAws (an IAM role
 * the agents may assume), and a user group PLATFORM_RELEASERS whose approval promotes to prod.
 */

version = "2024.03"

/** The runtime every step runs on: Node 24 LTS on Debian 12, as .node-version and the Dockerfiles say. */
val NODE_IMAGE = "node:24-bookworm"

/** Checkout, dependencies and a compile: what every stage needs before `npm run pipeline`. */
fun BuildSteps.setUp() {
    script {
        name = "Set up"
        scriptContent = "npm ci --no-audit --no-fund && npm run build"
        dockerImage = NODE_IMAGE
    }
}

fun BuildSteps.pipeline(stages: String, extra: String = "") {
    script {
        name = "Stages $stages"
        scriptContent = "npm run pipeline -- --only $stages --state %pipeline.state% $extra".trim()
    }
}

val STATE_ARTIFACT = ".pipeline/state.json => pipeline"
val STATE_FROM_DEPENDENCY = "pipeline/state.json => .pipeline"

fun BuildType.dependsOn(previous: BuildType) {
    dependencies {
        dependency(previous) {
            snapshot {
                onDependencyFailure = FailureAction.FAIL_TO_START
                onDependencyCancel = FailureAction.CANCEL
            }
            artifacts {
                artifactRules = STATE_FROM_DEPENDENCY
            }
        }
    }
}

/** From Build & Push on, the tools target AWS; Test runs against the local region. */
fun BuildType.targetAws() {
    params {
        param("env.PLATFORM_TARGET", "aws")
    }
}

fun BuildType.awsCredentials() {
    features {
        provideAwsCredentials {
            awsConnectionId = "PlatformAws"
        }
    }
}

val Test = BuildType {
    id("Platform_Test")
    name = "Test"
    vcs { root(DslContext.settingsRoot) }
    steps {
        script {
            name = "Set up (Debian packages, npm dependencies)"
            scriptContent = "bash scripts/setup.sh && npm run build"
            dockerImage = NODE_IMAGE
        }
        pipeline("test", "--test-command \"npm test\"")
    }
    artifactRules = STATE_ARTIFACT
    triggers {
        vcs { branchFilter = "+:<default>" }
    }
}

val BuildAndPush = BuildType {
    id("Platform_BuildAndPush")
    name = "Build & Push"
    targetAws()
    vcs { root(DslContext.settingsRoot) }
    steps {
        setUp()
        // Emits ##teamcity[setParameter name='api-digest' ...] and the same for media-server.
        pipeline("build,push")
    }
    artifactRules = STATE_ARTIFACT
    dependsOn(Test)
    awsCredentials()
}

val DeployQa = BuildType {
    id("Platform_DeployQa")
    name = "Deploy QA"
    targetAws()
    vcs { root(DslContext.settingsRoot) }
    maxRunningBuilds = 1
    params {
        param("api.digest", "${BuildAndPush.depParamRefs["api-digest"]}")
        param("media-server.digest", "${BuildAndPush.depParamRefs["media-server-digest"]}")
    }
    steps {
        setUp()
        pipeline("deploy-qa", "--expect api=%api.digest%,media-server=%media-server.digest%")
    }
    artifactRules = STATE_ARTIFACT
    dependsOn(BuildAndPush)
    awsCredentials()
}

val VerifyQa = BuildType {
    id("Platform_VerifyQa")
    name = "Verify QA"
    targetAws()
    vcs { root(DslContext.settingsRoot) }
    maxRunningBuilds = 1
    params {
        param("api.digest", "${BuildAndPush.depParamRefs["api-digest"]}")
        param("media-server.digest", "${BuildAndPush.depParamRefs["media-server-digest"]}")
    }
    steps {
        setUp()
        pipeline("verify-qa", "--expect api=%api.digest%,media-server=%media-server.digest%")
    }
    artifactRules = STATE_ARTIFACT
    dependsOn(DeployQa)
    dependencies {
        snapshot(BuildAndPush) {
            onDependencyFailure = FailureAction.FAIL_TO_START
        }
    }
}

val PromoteAndDeployProd = BuildType {
    id("Platform_PromoteAndDeployProd")
    name = "Promote & Deploy Prod"
    targetAws()
    vcs { root(DslContext.settingsRoot) }
    maxRunningBuilds = 1
    params {
        param("api.digest", "${BuildAndPush.depParamRefs["api-digest"]}")
        param("media-server.digest", "${BuildAndPush.depParamRefs["media-server-digest"]}")
    }
    steps {
        setUp()
        pipeline("promote,deploy-prod,verify-prod", "--expect api=%api.digest%,media-server=%media-server.digest%")
    }
    artifactRules = STATE_ARTIFACT
    dependsOn(VerifyQa)
    dependencies {
        snapshot(BuildAndPush) {
            onDependencyFailure = FailureAction.FAIL_TO_START
        }
    }
    features {
        // Nobody ships to prod alone: one release manager approves after QA is verified.
        approval {
            approvalRules = "group:PLATFORM_RELEASERS:1"
            timeout = 240
        }
    }
    awsCredentials()
}

// Declared last: the build configurations above must exist before the project lists them.
project {
    description = "ECS blue/green platform: test, build, push, deploy qa, verify qa, promote to prod"

    params {
        param("env.AWS_REGION", "eu-west-1")
        param("pipeline.state", ".pipeline/state.json")
    }

    buildType(Test)
    buildType(BuildAndPush)
    buildType(DeployQa)
    buildType(VerifyQa)
    buildType(PromoteAndDeployProd)

    buildTypesOrder = arrayListOf(Test, BuildAndPush, DeployQa, VerifyQa, PromoteAndDeployProd)
}
