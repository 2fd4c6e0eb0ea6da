#!/usr/bin/env node
import '../out/main/hush-node.js'
